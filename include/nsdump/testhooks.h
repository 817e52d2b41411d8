/* Test-only triggers, compiled in only with -DND_TEST_HOOKS (the separate binary
 * build/nsdump-testhooks); in nsdump itself these are empty inline functions.
 *
 * NSDUMP_TEST_HOOK, read once at start (before the environment is cleared):
 *   socket     after the first packet, the loop calls socket(2), which the sandbox forbids
 *   open-read  after the first packet, the loop opens /etc/hostname for reading (forbidden)
 *   netlink-pause
 *              once the netlink socket inside the target's namespace is open, print
 *              "nsdump: test hook: netlink port P seq S" (S: the next request's sequence
 *              number) on stderr and wait for a byte on stdin: meanwhile a test plays a
 *              process of the target that forges replies to port P (t_netlink.sh)
 *   activate-pause
 *              before libpcap activates a capture, print "nsdump: test hook: activating
 *              IFNAME" on stderr and wait for a byte on stdin: meanwhile a test renames the
 *              target's interfaces, as a container could (t_pseudodev.sh) */
#ifndef NSDUMP_TESTHOOKS_H
#define NSDUMP_TESTHOOKS_H

#ifdef ND_TEST_HOOKS
void nd_testhooks_init(void);
void nd_testhooks_packet(unsigned long long captured);
void nd_testhooks_netlink(unsigned int portid, unsigned int next_seq);
void nd_testhooks_activate(const char *ifname);
#else
static inline void nd_testhooks_init(void)
{
}

static inline void nd_testhooks_packet(unsigned long long captured)
{
	(void)captured;
}

static inline void nd_testhooks_netlink(unsigned int portid, unsigned int next_seq)
{
	(void)portid;
	(void)next_seq;
}

static inline void nd_testhooks_activate(const char *ifname)
{
	(void)ifname;
}
#endif

#endif
