CREATE TABLE `audiences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`definition` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `customer_rfm` (
	`dataset_id` integer NOT NULL,
	`customer_id` text NOT NULL,
	`recency` integer NOT NULL,
	`frequency` integer NOT NULL,
	`monetary` integer NOT NULL,
	`r` integer NOT NULL,
	`f` integer NOT NULL,
	`m` integer NOT NULL,
	`segment` text NOT NULL,
	`persona` integer NOT NULL,
	`z_recency` real NOT NULL,
	`z_frequency` real NOT NULL,
	`z_monetary` real NOT NULL,
	PRIMARY KEY(`dataset_id`, `customer_id`)
);
--> statement-breakpoint
CREATE INDEX `customer_rfm_segment` ON `customer_rfm` (`dataset_id`,`segment`);--> statement-breakpoint
CREATE TABLE `persona_runs` (
	`dataset_id` integer NOT NULL,
	`k` integer NOT NULL,
	`inertia` real NOT NULL,
	`silhouette` real NOT NULL,
	PRIMARY KEY(`dataset_id`, `k`)
);
--> statement-breakpoint
CREATE TABLE `personas` (
	`dataset_id` integer NOT NULL,
	`k` integer NOT NULL,
	`cluster` integer NOT NULL,
	`name` text NOT NULL,
	`centroid` text NOT NULL,
	`customers` integer NOT NULL,
	`revenue` integer NOT NULL,
	`median_recency` real NOT NULL,
	`median_frequency` real NOT NULL,
	`median_monetary` real NOT NULL,
	PRIMARY KEY(`dataset_id`, `k`, `cluster`)
);
--> statement-breakpoint
CREATE TABLE `segment_runs` (
	`dataset_id` integer PRIMARY KEY NOT NULL,
	`snapshot_date` text NOT NULL,
	`cuts` text NOT NULL,
	`best_k` integer NOT NULL,
	`chosen_k` integer NOT NULL,
	`silhouette_sample` integer,
	`seconds` real NOT NULL,
	`computed_at` text NOT NULL
);
