-- AlterTable (ADD COLUMN with a constant default: no table rewrite, unlike the redefinition prisma migrate diff writes)
ALTER TABLE "audit_records" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
