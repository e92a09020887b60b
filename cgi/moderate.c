/* moderate.c: parley-moderate, the admin FastCGI responder. */
#include "admin.h"
#include "responder.h"

int
main(int argc, char **argv)
{
	return responder_main(argc, argv, &admin_app);
}
