CREATE TABLE `experiment_outcomes` (
	`experiment_id` integer NOT NULL,
	`customer_id` text NOT NULL,
	`arm` integer NOT NULL,
	`converted` integer NOT NULL,
	`revenue` real NOT NULL,
	`orders` integer NOT NULL,
	`refunded` real NOT NULL,
	`pre_spend` real NOT NULL,
	PRIMARY KEY(`experiment_id`, `customer_id`)
);
--> statement-breakpoint
CREATE TABLE `experiment_results` (
	`experiment_id` integer PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`recorded_at` text NOT NULL,
	`arms` text NOT NULL,
	`notes` text NOT NULL
);
