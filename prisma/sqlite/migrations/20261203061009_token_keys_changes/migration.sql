-- CreateTable
CREATE TABLE "app_token_keys" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "secretCiphertext" TEXT,
    "publicKey" TEXT,
    "fromSecretId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "app_token_keys_appId_fkey" FOREIGN KEY ("appId") REFERENCES "apps" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "app_changes" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "appId" TEXT NOT NULL,
    "appKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "beacon_meta" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_app_secrets" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "secretCiphertext" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "app_secrets_appId_fkey" FOREIGN KEY ("appId") REFERENCES "apps" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_app_secrets" ("appId", "createdAt", "id", "revokedAt", "secretCiphertext", "secretHash") SELECT "appId", "createdAt", "id", "revokedAt", "secretCiphertext", "secretHash" FROM "app_secrets";
DROP TABLE "app_secrets";
ALTER TABLE "new_app_secrets" RENAME TO "app_secrets";
CREATE UNIQUE INDEX "app_secrets_secretHash_key" ON "app_secrets"("secretHash");
CREATE INDEX "app_secrets_appId_idx" ON "app_secrets"("appId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "app_token_keys_appId_kid_key" ON "app_token_keys"("appId", "kid");

-- CreateIndex
CREATE INDEX "app_changes_at_idx" ON "app_changes"("at");

-- Data: until now an app's secret also verified its client tokens. Carry every secret over as an HS256
-- token key (same row id, so its ciphertext still decrypts: the AES-GCM context is "<appId>/<id>"), tied to
-- the secret so rotating that secret revokes it too; then keep only the secrets' hashes.
INSERT INTO "app_token_keys" ("id", "appId", "kid", "alg", "secretCiphertext", "publicKey", "fromSecretId", "createdAt", "revokedAt")
SELECT "id", "appId", 'legacy-' || substr("id", 1, 8), 'HS256', "secretCiphertext", NULL, "id", "createdAt", "revokedAt"
FROM "app_secrets" WHERE "secretCiphertext" IS NOT NULL;
UPDATE "app_secrets" SET "secretCiphertext" = NULL;

-- An installation that already has apps has had its first run: never recreate the development app.
INSERT INTO "beacon_meta" ("key", "value") SELECT 'initialized', 'before-migration' WHERE EXISTS (SELECT 1 FROM "apps");
