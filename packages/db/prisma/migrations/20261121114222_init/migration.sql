-- CreateEnum
CREATE TYPE "role" AS ENUM ('superuser', 'staff', 'admin');

-- CreateEnum
CREATE TYPE "provider" AS ENUM ('vk', 'yandex', 'mailru');

-- CreateEnum
CREATE TYPE "key_status" AS ENUM ('active', 'retiring', 'retired');

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "username" TEXT,
    "email" TEXT,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "phone" TEXT,
    "phone_verified" BOOLEAN NOT NULL DEFAULT false,
    "name" TEXT,
    "surname" TEXT,
    "patronymic" TEXT,
    "password_hash" TEXT,
    "roles" "role"[] DEFAULT ARRAY[]::"role"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_allowlist" (
    "telegram_username" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "added_by" TEXT,

    CONSTRAINT "staff_allowlist_pkey" PRIMARY KEY ("telegram_username")
);

-- CreateTable
CREATE TABLE "telegram_chats" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "telegram_username" TEXT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "account_id" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "telegram_chats_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "federated_identities" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provider" "provider" NOT NULL,
    "subject" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "federated_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "use" TEXT NOT NULL DEFAULT 'sig',
    "public_jwk" JSONB NOT NULL,
    "private_jwk" JSONB NOT NULL,
    "status" "key_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retire_after" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_username_key" ON "accounts"("username");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_email_key" ON "accounts"("email");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_phone_key" ON "accounts"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "telegram_chats_telegram_username_key" ON "telegram_chats"("telegram_username");

-- CreateIndex
CREATE UNIQUE INDEX "telegram_chats_account_id_key" ON "telegram_chats"("account_id");

-- CreateIndex
CREATE INDEX "federated_identities_account_id_idx" ON "federated_identities"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "federated_identities_provider_subject_key" ON "federated_identities"("provider", "subject");

-- AddForeignKey
ALTER TABLE "telegram_chats" ADD CONSTRAINT "telegram_chats_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "federated_identities" ADD CONSTRAINT "federated_identities_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
