CREATE TABLE `customers` (
	`dataset_id` integer NOT NULL,
	`customer_id` text NOT NULL,
	`country` text,
	`first_purchase_at` text NOT NULL,
	`last_purchase_at` text NOT NULL,
	`cohort_month` text NOT NULL,
	`orders` integer NOT NULL,
	`sales_lines` integer NOT NULL,
	`revenue` integer NOT NULL,
	`return_orders` integer NOT NULL,
	`returns` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `customer_id`)
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`file_name` text NOT NULL,
	`content_hash` text NOT NULL,
	`format` text NOT NULL,
	`encoding` text NOT NULL,
	`date_format` text NOT NULL,
	`imported_at` text NOT NULL,
	`first_at` text,
	`last_at` text,
	`report` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_name_unique` ON `datasets` (`name`);--> statement-breakpoint
CREATE TABLE `lines` (
	`id` integer PRIMARY KEY NOT NULL,
	`dataset_id` integer NOT NULL,
	`order_id` integer NOT NULL,
	`line_no` integer NOT NULL,
	`product_id` integer,
	`quantity` integer NOT NULL,
	`unit_price` integer,
	`amount` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lines_dataset_order` ON `lines` (`dataset_id`,`order_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`dataset_id` integer NOT NULL,
	`invoice` text NOT NULL,
	`kind` text NOT NULL,
	`customer_id` text,
	`country` text,
	`invoiced_at` text NOT NULL,
	`invoice_month` text NOT NULL,
	`lines` integer NOT NULL,
	`amount` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_dataset_time` ON `orders` (`dataset_id`,`invoiced_at`);--> statement-breakpoint
CREATE INDEX `orders_dataset_customer` ON `orders` (`dataset_id`,`customer_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` integer PRIMARY KEY NOT NULL,
	`dataset_id` integer NOT NULL,
	`stock_code` text NOT NULL,
	`description` text,
	`non_merchandise` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `products_dataset` ON `products` (`dataset_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
