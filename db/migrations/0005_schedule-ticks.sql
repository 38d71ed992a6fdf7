CREATE TABLE "schedule_ticks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"run_id" bigint,
	"detail" text NOT NULL,
	CONSTRAINT "schedule_ticks_outcome" CHECK ("schedule_ticks"."outcome" in ('started', 'skipped', 'busy'))
);
--> statement-breakpoint
CREATE INDEX "schedule_ticks_at" ON "schedule_ticks" USING btree ("at");