ALTER TABLE "migrations" ADD COLUMN "batch" integer;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "position" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "inputs" jsonb;