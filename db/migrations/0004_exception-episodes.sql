ALTER TABLE "exceptions" DROP CONSTRAINT "exceptions_kind";--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN "episode_of" bigint;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "exceptions_open" ON "exceptions" USING btree ("kind","concerns");--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_kind" CHECK ("exceptions"."kind" in ('unprovable', 'stale-feed', 'rollback', 'breaker', 'unreachable-cluster', 'config-rejected', 'drift'));