/* blog.c: parley-blog, the public FastCGI responder. */
#include "responder.h"
#include "site.h"

int
main(int argc, char **argv)
{
	return responder_main(argc, argv, &site_app);
}
