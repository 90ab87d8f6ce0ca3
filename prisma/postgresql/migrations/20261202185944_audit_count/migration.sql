-- AlterTable
ALTER TABLE "audit_records" ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1;
