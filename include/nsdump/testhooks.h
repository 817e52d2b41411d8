/* Test-only triggers, compiled in only with -DND_TEST_HOOKS (the separate binary
 * build/nsdump-testhooks); in nsdump itself these are empty inline functions.
 *
 * NSDUMP_TEST_HOOK, read once at start (before the environment is cleared), says what the
 * capture loop does after the first packet, as a memory bug there could:
 *   socket          socket(2), which the sandbox forbids (killed)
 *   open-read       open /etc/hostname for reading (refused with EACCES)
 *   write-capture   write a 60-byte Ethernet frame (broadcast, ethertype 0x88b5) to the
 *                   capture's packet socket (killed)
 *   create-outside  create the file NSDUMP_TEST_HOOK_ARG (absolute, or with "..": outside
 *                   the output directory) the one way the sandbox lets rotation create
 *                   files: openat(2) on the directory's descriptor
 *   remove-outside  remove the file NSDUMP_TEST_HOOK_ARG the way rotation replaces one:
 *                   unlinkat(2) on the directory's descriptor
 * Each prints "nsdump: test hook: the forbidden call returned N" if it returns. And two
 * that pause set-up for a test to play a hostile target meanwhile:
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
/* capture_fd: the packet socket of the packet's capture; dir_fd: rotation's directory, or -1 */
void nd_testhooks_packet(unsigned long long captured, int capture_fd, int dir_fd);
void nd_testhooks_netlink(unsigned int portid, unsigned int next_seq);
void nd_testhooks_activate(const char *ifname);
#else
static inline void nd_testhooks_init(void)
{
}

static inline void nd_testhooks_packet(unsigned long long captured, int capture_fd, int dir_fd)
{
	(void)captured;
	(void)capture_fd;
	(void)dir_fd;
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
