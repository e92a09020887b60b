/* moderate.c: parley-moderate, the admin FastCGI responder. */
#include "admin.h"
#include "http.h"

int
main(int argc, char **argv)
{
	return responder_main(argc, argv, &admin_app);
}
