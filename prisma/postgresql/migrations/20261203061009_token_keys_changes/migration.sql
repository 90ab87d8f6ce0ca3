-- AlterTable
ALTER TABLE "app_secrets" ALTER COLUMN "secretCiphertext" DROP NOT NULL;

-- CreateTable
CREATE TABLE "app_token_keys" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "secretCiphertext" TEXT,
    "publicKey" TEXT,
    "fromSecretId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "app_token_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_changes" (
    "seq" SERIAL NOT NULL,
    "appId" TEXT NOT NULL,
    "appKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_changes_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "beacon_meta" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "beacon_meta_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "app_token_keys_appId_kid_key" ON "app_token_keys"("appId", "kid");

-- CreateIndex
CREATE INDEX "app_changes_at_idx" ON "app_changes"("at");

-- AddForeignKey
ALTER TABLE "app_token_keys" ADD CONSTRAINT "app_token_keys_appId_fkey" FOREIGN KEY ("appId") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data: until now an app's secret also verified its client tokens. Carry every secret over as an HS256
-- token key (same row id, so its ciphertext still decrypts: the AES-GCM context is "<appId>/<id>"), tied to
-- the secret so rotating that secret revokes it too; then keep only the secrets' hashes.
INSERT INTO "app_token_keys" ("id", "appId", "kid", "alg", "secretCiphertext", "publicKey", "fromSecretId", "createdAt", "revokedAt")
SELECT "id", "appId", 'legacy-' || substr("id", 1, 8), 'HS256', "secretCiphertext", NULL, "id", "createdAt", "revokedAt"
FROM "app_secrets" WHERE "secretCiphertext" IS NOT NULL;
UPDATE "app_secrets" SET "secretCiphertext" = NULL;

-- An installation that already has apps has had its first run: never recreate the development app.
INSERT INTO "beacon_meta" ("key", "value") SELECT 'initialized', 'before-migration' WHERE EXISTS (SELECT 1 FROM "apps");
