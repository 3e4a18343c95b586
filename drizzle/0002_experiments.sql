CREATE TABLE `assignments` (
	`experiment_id` integer NOT NULL,
	`customer_id` text NOT NULL,
	`arm` integer NOT NULL,
	PRIMARY KEY(`experiment_id`, `customer_id`)
);
--> statement-breakpoint
CREATE TABLE `experiment_versions` (
	`experiment_id` integer NOT NULL,
	`version` integer NOT NULL,
	`saved_at` text NOT NULL,
	`design` text NOT NULL,
	PRIMARY KEY(`experiment_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`design` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`started_at` text
);
