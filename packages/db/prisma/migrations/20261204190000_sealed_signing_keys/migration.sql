-- Private signing keys are stored sealed (AES-256-GCM under KEYS_ENCRYPTION_KEY, see
-- services/token/src/keys/seal.ts) in a text column. SQL cannot encrypt: rows stored before
-- this migration keep their private JWK as JSON text until the token service's start (or
-- `authctl keys reseal`) seals them in place (services/token/src/keys/reseal.ts).
ALTER TABLE "signing_keys" RENAME COLUMN "private_jwk" TO "sealed_private_key";
ALTER TABLE "signing_keys" ALTER COLUMN "sealed_private_key" SET DATA TYPE TEXT USING "sealed_private_key"::text;
