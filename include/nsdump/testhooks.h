/* Test-only triggers, compiled in only with -DND_TEST_HOOKS (the separate binary
 * build/nsdump-testhooks); in nsdump itself these are empty inline functions.
 *
 * NSDUMP_TEST_HOOK, read once at start (before the environment is cleared):
 *   socket     after the first packet, the loop calls socket(2), which the sandbox forbids
 *   open-read  after the first packet, the loop opens /etc/hostname for reading (forbidden)
 *   create-outside  after the first packet, the loop creates the file NSDUMP_TEST_HOOK_ARG
 *              (outside the output directory) as rotation creates its files */
#ifndef NSDUMP_TESTHOOKS_H
#define NSDUMP_TESTHOOKS_H

#ifdef ND_TEST_HOOKS
void nd_testhooks_init(void);
void nd_testhooks_packet(unsigned long long captured);
#else
static inline void nd_testhooks_init(void)
{
}

static inline void nd_testhooks_packet(unsigned long long captured)
{
	(void)captured;
}
#endif

#endif
