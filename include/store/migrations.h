/* migrations.h: the schema's numbered migrations, embedded from sql/ at build time. */
#ifndef PARLEY_MIGRATIONS_H
#define PARLEY_MIGRATIONS_H

struct migration {
	int version;        /* NNNN of sql/NNNN_name.sql; PRAGMA user_version after it */
	const char *name;   /* file name without .sql */
	const char *sql;
};

/* In ascending version order. */
extern const struct migration migrations[];
extern const int migrations_count;

#endif
