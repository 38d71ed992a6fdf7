ALTER TABLE "migrations" DROP CONSTRAINT "migrations_state";--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "planned" jsonb;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "migrations" ADD CONSTRAINT "migrations_state" CHECK ("migrations"."state" in ('planned', 'creating', 'target-created', 'target-ready', 'verifying', 'removing-source', 'source-removed', 'done', 'rolling-back', 'rolled-back', 'skipped', 'failed'));