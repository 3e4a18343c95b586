CREATE TABLE `dataset_imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`kind` text NOT NULL,
	`file_name` text NOT NULL,
	`content_hash` text NOT NULL,
	`imported_at` text NOT NULL,
	`report` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dataset_imports_dataset` ON `dataset_imports` (`dataset_id`);--> statement-breakpoint
CREATE TABLE `experiment_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`experiment_id` integer NOT NULL,
	`at` text NOT NULL,
	`action` text NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `experiment_history_experiment` ON `experiment_history` (`experiment_id`);--> statement-breakpoint
ALTER TABLE `datasets` ADD `currency` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `start_date` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `archived_at` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `stop_reason` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `decision` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `decision_note` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `decided_at` text;--> statement-breakpoint
-- backfill: the two Online Retail layouts are in pounds sterling (issue 14)
UPDATE `datasets` SET `currency` = 'GBP' WHERE `format` IN ('online-retail', 'online-retail-ii');--> statement-breakpoint
-- backfill: each data set's first import becomes its history's first entry (issue 13)
INSERT INTO `dataset_imports` (`dataset_id`, `kind`, `file_name`, `content_hash`, `imported_at`, `report`)
  SELECT `id`, 'import', `file_name`, `content_hash`, `imported_at`, `report` FROM `datasets`;--> statement-breakpoint
-- backfill: a started experiment's start day is its data set's last transaction day; its history starts with what is known
UPDATE `experiments` SET `start_date` = (SELECT substr(`last_at`, 1, 10) FROM `datasets` WHERE `datasets`.`id` = `experiments`.`dataset_id`)
  WHERE `started_at` IS NOT NULL;--> statement-breakpoint
INSERT INTO `experiment_history` (`experiment_id`, `at`, `action`, `note`) SELECT `id`, `created_at`, 'created', NULL FROM `experiments`;--> statement-breakpoint
INSERT INTO `experiment_history` (`experiment_id`, `at`, `action`, `note`) SELECT `id`, `started_at`, 'started', NULL FROM `experiments` WHERE `started_at` IS NOT NULL;
