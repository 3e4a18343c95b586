export type { ImportReport, RejectedExample } from "~/types/import";
