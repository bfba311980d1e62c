/* OpenSSL libssl: TLS 1.2+ for the province link, and the X.509 calls the simulator's lab CA
   needs. Helpers for what Swift cannot import (function-like macros). */
#ifndef CLIBSSL_SHIM_H
#define CLIBSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/rand.h>
#include <openssl/bn.h>

/* TLS 1.2 or later, no renegotiation, no compression; a peer that closes without
   close_notify reads as an end of stream (the HTTP framing above detects truncation). */
static inline int sscard_tls_configure(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 ? 1 : 0;
}

/* SNI: the server name the client asks for. */
static inline int sscard_tls_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int sscard_tls_filetype_pem(void) { return SSL_FILETYPE_PEM; }

/* A BIO's retry flags off: its calls block (until a deadline), they never ask to be retried. */
static inline void sscard_bio_clear_retry(BIO *bio) { BIO_clear_retry_flags(bio); }

static inline int sscard_bio_ctrl_flush(void) { return BIO_CTRL_FLUSH; }

/* The bytes a memory BIO holds. */
static inline long sscard_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

#endif
