/* For a build that links libpcap statically (`make static`, and the default PCAP_LINK=static
 * of the Makefile). libpcap.a needs libdbus-1.a (its D-Bus capture source), whose
 * dbus-sysdeps-unix.o calls libsystemd's socket-activation functions; Debian ships no
 * libsystemd.a. nsdump never lets libdbus listen on a socket (it only captures from network
 * interfaces), so these are reached only by a D-Bus server started by systemd socket
 * activation, which nsdump is not: they answer as sd-daemon(3) does outside such
 * activation. */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

/* No descriptors were passed (what libsystemd returns when $LISTEN_FDS is unset). */
int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

/* Never called when sd_listen_fds() returns 0; "not a socket of that kind" otherwise. */
int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
