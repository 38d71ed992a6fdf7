CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"payload" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "carbon_readings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"zone" text NOT NULL,
	"datetime" timestamp with time zone NOT NULL,
	"intensity" double precision NOT NULL,
	"estimated" boolean NOT NULL,
	"source" text NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"workload" text NOT NULL,
	"from_region" text NOT NULL,
	"to_region" text,
	"saving_g_per_h" double precision,
	"reason" text,
	"detail" text,
	CONSTRAINT "decisions_kind" CHECK ("decisions"."kind" in ('move', 'kept'))
);
--> statement-breakpoint
CREATE TABLE "exceptions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint,
	"kind" text NOT NULL,
	"concerns" text NOT NULL,
	"detail" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"notified_at" timestamp with time zone,
	CONSTRAINT "exceptions_kind" CHECK ("exceptions"."kind" in ('unprovable', 'stale-feed', 'rollback', 'breaker'))
);
--> statement-breakpoint
CREATE TABLE "migrations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"workload" text NOT NULL,
	"from_region" text NOT NULL,
	"to_region" text NOT NULL,
	"state" text NOT NULL,
	"transitions" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "migrations_state" CHECK ("migrations"."state" in ('planned', 'target-created', 'target-ready', 'verifying', 'source-removed', 'done', 'rolling-back', 'rolled-back', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"channel" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"fleet" text NOT NULL,
	"carbon_source" text NOT NULL,
	"carbon" jsonb NOT NULL,
	"emissions_before_g_per_h" double precision,
	"emissions_after_g_per_h" double precision,
	"lower_bound_g_per_h" double precision,
	"gap" double precision,
	"verdict" text NOT NULL,
	"status" text NOT NULL,
	"timings" jsonb NOT NULL,
	CONSTRAINT "runs_trigger" CHECK ("runs"."trigger" in ('cron', 'manual', 'api'))
);
--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migrations" ADD CONSTRAINT "migrations_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "carbon_readings_zone_time_source" ON "carbon_readings" USING btree ("zone","datetime","source");--> statement-breakpoint
CREATE INDEX "decisions_run" ON "decisions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "migrations_run" ON "migrations" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_idempotency_key" ON "outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "runs_started" ON "runs" USING btree ("started_at");