CREATE TABLE `change_counters` (
	`area` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `change_counters` (`area`, `n`) VALUES ('data', 0), ('segments', 0), ('audiences', 0), ('experiments', 0);
--> statement-breakpoint
CREATE TRIGGER `change_datasets_insert` AFTER INSERT ON `datasets` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_datasets_update` AFTER UPDATE ON `datasets` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_datasets_delete` AFTER DELETE ON `datasets` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_settings_insert` AFTER INSERT ON `settings` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_settings_update` AFTER UPDATE ON `settings` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_settings_delete` AFTER DELETE ON `settings` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_warehouse_sources_insert` AFTER INSERT ON `warehouse_sources` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_warehouse_sources_update` AFTER UPDATE ON `warehouse_sources` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_warehouse_sources_delete` AFTER DELETE ON `warehouse_sources` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_dataset_imports_insert` AFTER INSERT ON `dataset_imports` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_dataset_imports_update` AFTER UPDATE ON `dataset_imports` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_dataset_imports_delete` AFTER DELETE ON `dataset_imports` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'data'; END;
--> statement-breakpoint
CREATE TRIGGER `change_segment_runs_insert` AFTER INSERT ON `segment_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_segment_runs_update` AFTER UPDATE ON `segment_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_segment_runs_delete` AFTER DELETE ON `segment_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_persona_runs_insert` AFTER INSERT ON `persona_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_persona_runs_update` AFTER UPDATE ON `persona_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_persona_runs_delete` AFTER DELETE ON `persona_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_personas_insert` AFTER INSERT ON `personas` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_personas_update` AFTER UPDATE ON `personas` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_personas_delete` AFTER DELETE ON `personas` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_audiences_insert` AFTER INSERT ON `audiences` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'audiences'; END;
--> statement-breakpoint
CREATE TRIGGER `change_audiences_update` AFTER UPDATE ON `audiences` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'audiences'; END;
--> statement-breakpoint
CREATE TRIGGER `change_audiences_delete` AFTER DELETE ON `audiences` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'audiences'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiments_insert` AFTER INSERT ON `experiments` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiments_update` AFTER UPDATE ON `experiments` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiments_delete` AFTER DELETE ON `experiments` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_history_insert` AFTER INSERT ON `experiment_history` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_history_update` AFTER UPDATE ON `experiment_history` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_history_delete` AFTER DELETE ON `experiment_history` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_versions_insert` AFTER INSERT ON `experiment_versions` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_versions_update` AFTER UPDATE ON `experiment_versions` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_versions_delete` AFTER DELETE ON `experiment_versions` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_results_insert` AFTER INSERT ON `experiment_results` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_results_update` AFTER UPDATE ON `experiment_results` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_experiment_results_delete` AFTER DELETE ON `experiment_results` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'experiments'; END;
