ALTER TABLE "exceptions" DROP CONSTRAINT "exceptions_kind";--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN "episode_of" bigint;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "exceptions_open" ON "exceptions" USING btree ("kind","concerns");--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_kind" CHECK ("exceptions"."kind" in ('unprovable', 'stale-feed', 'rollback', 'breaker', 'unreachable-cluster', 'config-rejected', 'drift'));--> statement-breakpoint
-- Exceptions recorded before episodes were kept were never told through the outbox: their
-- episodes are closed, so the next run that finds the same thing tells it as new.
UPDATE "exceptions" SET "resolved_at" = "created_at" WHERE "resolved_at" IS NULL;
