CREATE TABLE `warehouse_sources` (
	`dataset_id` integer PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`masked_url` text NOT NULL,
	`orders_table` text NOT NULL,
	`mapping` text NOT NULL,
	`assignments_schema` text,
	`connected_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `datasets` ADD `kind` text DEFAULT 'imported' NOT NULL;