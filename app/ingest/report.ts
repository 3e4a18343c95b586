export type { ImportReport, RejectedExample, UpdateReport } from "~/types/import";
