INSERT INTO `change_counters` (`area`, `n`) VALUES ('personas', 0);
--> statement-breakpoint
DROP TRIGGER `change_segment_runs_update`;
--> statement-breakpoint
CREATE TRIGGER `change_segment_runs_update` AFTER UPDATE OF `dataset_id`, `snapshot_date`, `cuts`, `best_k`, `silhouette_sample`, `seconds`, `computed_at` ON `segment_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'segments'; END;
--> statement-breakpoint
CREATE TRIGGER `change_segment_runs_chosen_k` AFTER UPDATE OF `chosen_k` ON `segment_runs` BEGIN UPDATE `change_counters` SET `n` = `n` + 1 WHERE `area` = 'personas'; END;
