# Turns bench/run.sh's raw results into the Markdown tables of docs/performance.md.
# Input: one tab-separated line per run:
#   case tool round sent got drops cpu_s rss_kib lat_med_ms lat_p99_ms send_s status note
#   linkloss
# linkloss: packets sent but never received by the host end of the veth pair (dropped by the
# link itself); captures on the host end cannot see them, captures inside see them first.
# (start-up rows: lat_med_ms = capture start, lat_p99_ms = first packet at the reader, ms
# after launch; scale rows: sent = containers there were, got = containers in the answer,
# lat_med_ms = wall time from fork to exit, note = series: api, disk or state; status
# "fail" marks a run whose answer was wrong).  "NA" marks a value that could not be
# measured.  Plain POSIX awk (mawk).
BEGIN {
	FS = "\t"
	ncases = 0
	casedesc["max64"] = "file, 64-byte frames, flat out"
	casedesc["max1514"] = "file, 1514-byte frames, flat out"
	casedesc["max1514x2"] = "file, 1514-byte frames, flat out from two senders"
	casedesc["rate64"] = "file, 64-byte frames, paced"
	casedesc["tail64"] = "file, 64-byte frames, paced, stopped at once"
	casedesc["status64"] = "file, 64-byte frames, paced; nsdump-tty: standard error a terminal, the status line shown"
	casedesc["live-rate64"] = "pipe, 64-byte frames, paced"
	casedesc["live-max64"] = "pipe, 64-byte frames, flat out"
	casedesc["live-max1514"] = "pipe, 1514-byte frames, flat out"
	filecase["live-rate64"] = "rate64"
	filecase["live-max64"] = "max64"
	filecase["live-max1514"] = "max1514"
	label["pct"] = "capture"
	label["cpum"] = "CPU/packet"
	label["rss"] = "peak RSS"
	label["p50"] = "latency p50"
	label["p99"] = "latency p99"
	label["start"] = "start-up to capturing"
	label["first"] = "start-up to the first packet at the reader"
	label["scale"] = "resolution time"
	label["growth"] = "resolution time added by more containers"
	seriesdesc["api"] = "Engine API (real containers)"
	seriesdesc["disk"] = "Docker's state on disk (the same real containers, socket hidden)"
	seriesdesc["state"] = "Docker's state on disk (synthetic: own netns + copied state, `--root`)"
	seriesdesc["cstate"] = "containerd's task state (synthetic: the same processes, a real task's files copied, `--root`)"
	startdesc["nsdump"] = "`nsdump --pid P --mode setns -w -`"
	startdesc["nsdump-veth"] = "`nsdump --pid P --mode veth -w -`"
	startdesc["tcpdump-U"] = "`nsenter -t P -n tcpdump -i eth0 -U -w -`"
	startdesc["tcpdump-imm"] = "`nsenter -t P -n tcpdump -i eth0 --immediate-mode -U -w -`"
	startdesc["nsdump-ctr"] = "`nsdump --container NAME -w -` (Docker; default mode: veth)"
	startdesc["nsdump-ctr-setns"] = "`nsdump --container NAME --mode setns -w -` (Docker)"
	startdesc["base"] = "the same as nsdump, with BENCH_NSDUMP_BASE's binary"
	startdesc["base-veth"] = "the same as nsdump-veth, with BENCH_NSDUMP_BASE's binary"
	startdesc["base-ctr"] = "the same as nsdump-ctr, with BENCH_NSDUMP_BASE's binary"
	startdesc["docker-tcpdump-U"] = "`nsenter -t \"$(docker inspect -f '{{.State.Pid}}' NAME)\" -n tcpdump -i eth0 -U -w -`, one `sh -c`"
}

function isnum(v) { return v != "NA" && v != "" && v != "-" }

# add(KEY, VALUE): one more sample of a metric.
function add(k, v) {
	if (!isnum(v))
		return
	n[k]++
	val[k, n[k]] = v + 0
}

function sorted(k, b,    i, j, t, m) {
	m = n[k]
	for (i = 1; i <= m; i++)
		b[i] = val[k, i]
	for (i = 2; i <= m; i++) {
		t = b[i]
		for (j = i - 1; j >= 1 && b[j] > t; j--)
			b[j + 1] = b[j]
		b[j + 1] = t
	}
	return m
}

function median(k,    b, m) {
	m = sorted(k, b)
	if (m == 0)
		return "NA"
	return (m % 2) ? b[(m + 1) / 2] : (b[m / 2] + b[m / 2 + 1]) / 2
}

function minv(k,    b, m) { m = sorted(k, b); return m ? b[1] : "NA" }
function maxv(k,    b, m) { m = sorted(k, b); return m ? b[m] : "NA" }

function fmt(v, dec) {
	if (!isnum(v))
		return "–"
	return sprintf("%." dec "f", v)
}

# "median (min–max)", or just the median when every run agreed.
function mmm(k, dec,    a, b, c) {
	if (n[k] == 0)
		return "–"
	a = fmt(median(k), dec)
	b = fmt(minv(k), dec)
	c = fmt(maxv(k), dec)
	if (b == c)
		return a
	return a " (" b "–" c ")"
}

{
	c = $1; t = $2; r = $3
	if (!(c in seen)) {
		seen[c] = 1
		cases[++ncases] = c
		# The paced case's runs: CASE@RATE, described as CASE at that rate.
		if (c ~ /@/) {
			base = substr(c, 1, index(c, "@") - 1)
			casedesc[c] = casedesc[base] " at " substr(c, index(c, "@") + 1) " pkt/s"
			if (base in filecase)
				filecase[c] = filecase[base] substr(c, index(c, "@"))
		}
	}
	if (!((c, t) in tseen)) {
		tseen[c, t] = 1
		ntools[c]++
		tools[c, ntools[c]] = t
	}
	runs[c, t]++
	if (c == "scale") {
		sr = $13; cnt = $4 + 0
		if (!(sr in sseen)) {
			sseen[sr] = 1
			nseries++
		}
		if (!((sr, cnt) in scseen)) {
			scseen[sr, cnt] = 1
			scount[sr, ++ncount[sr]] = cnt
		}
		k = "scale|" sr "|" cnt "|" t
		sruns[k]++
		nscale++
		if ($12 != "0") {
			sfails[k]++
			nsfail++
			sfailed[nsfail] = sr " " cnt " " t " round " r ": status " $12 ", answered for " $5
			next
		}
		add(k, $9)
		R[sr, cnt, t, r] = $9
		if (r > maxround)
			maxround = r
		next
	}
	if (c == "startup") {
		add(c "|" t "|start", $9)
		add(c "|" t "|first", $10)
		if ($12 == "fail")
			fails[c, t]++
		next
	}
	sent = $4; got = $5; drops = $6; cpu = $7; rss = $8
	if (!isnum(sent) || !isnum(got)) {
		fails[c, t]++
		next
	}
	add(c "|" t "|sent", sent)
	add(c "|" t "|got", got)
	add(c "|" t "|pct", 100 * got / sent)
	hostside = (t == "nsdump-veth" || t == "host-tcpdump")
	if (isnum($14))
		add(c "|" t "|link", $14)
	if (isnum(drops)) {
		add(c "|" t "|drops", drops)
		add(c "|" t "|lost", sent - got - drops - ((hostside && isnum($14)) ? $14 : 0))
	}
	if (isnum($11) && $11 > 0)
		add(c "|" t "|kpps", sent / $11 / 1000)
	if (isnum(cpu)) {
		add(c "|" t "|cpu", cpu)
		if (got > 0)
			add(c "|" t "|cpum", cpu / (got / 1e6))
	}
	if (isnum(rss))
		add(c "|" t "|rss", rss / 1024)
	add(c "|" t "|p50", $9)
	add(c "|" t "|p99", $10)
	if (got > sent)
		odd[++nodd] = c " " t " round " r ": " got " packets read back but only " sent " sent"
	if ($13 != "")
		odd[++nodd] = c " " t " round " r ": " $13
	if (got == sent)
		exact[c, t]++
	# Per-round values, for ratios between tools of the same round.
	R[c, t, r, "pct"] = 100 * got / sent
	if (isnum(cpu) && got > 0)
		R[c, t, r, "cpum"] = cpu / (got / 1e6)
	if (isnum(rss))
		R[c, t, r, "rss"] = rss
	if (isnum($9))
		R[c, t, r, "p50"] = $9
	if (isnum($10))
		R[c, t, r, "p99"] = $10
	if (r > maxround)
		maxround = r
}

# ratio(CASE, TOOL, REF, METRIC): the median of the per-round ratios TOOL/REF, with min–max.
function ratio(c, tool, ref, m,    k, rr) {
	k = "ratio|" c "|" tool "|" ref "|" m
	if (!(k in done)) {
		done[k] = 1
		for (rr = 1; rr <= maxround; rr++)
			if (((c, tool, rr, m) in R) && ((c, ref, rr, m) in R) && R[c, ref, rr, m] > 0)
				add(k, R[c, tool, rr, m] / R[c, ref, rr, m])
	}
	return mmm(k, 2)
}

# sratio(SERIES, COUNT, TOOL, REF): the median of the per-round wall time ratios TOOL/REF.
function sratio(sr, cnt, tool, ref,    k, rr) {
	k = "sratio|" sr "|" cnt "|" tool "|" ref
	if (!(k in done)) {
		done[k] = 1
		for (rr = 1; rr <= maxround; rr++)
			if (((sr, cnt, tool, rr) in R) && ((sr, cnt, ref, rr) in R) && R[sr, cnt, ref, rr] > 0)
				add(k, R[sr, cnt, tool, rr] / R[sr, cnt, ref, rr])
	}
	return k
}

# xratio(SERIES, COUNT, TOOL, REF): as sratio, TOOL from SERIES against REF through the API
# (the disk series runs in the same rounds as the api one).
function xratio(sr, cnt, tool, ref,    k, rr) {
	k = "xratio|" sr "|" cnt "|" tool "|" ref
	# Only the disk rows share their rounds with the api rows; the synthetic ones ran alone.
	if (!(k in done) && sr != "state" && sr != "cstate") {
		done[k] = 1
		for (rr = 1; rr <= maxround; rr++)
			if (((sr, cnt, tool, rr) in R) && (("api", cnt, ref, rr) in R) && R["api", cnt, ref, rr] > 0)
				add(k, R[sr, cnt, tool, rr] / R["api", cnt, ref, rr])
	}
	return k
}

# slope(SERIES, TOOL): ms per container more, from the lowest count to the highest.
function slope(sr, t,    g) {
	g = grow(sr, t)
	if (!isnum(g) || scount[sr, ncount[sr]] == scount[sr, 1])
		return "NA"
	return g / (scount[sr, ncount[sr]] - scount[sr, 1])
}

# grow(SERIES, TOOL): the median wall time at the highest count less that at the lowest.
function grow(sr, t,    lo, hi) {
	if (ncount[sr] < 2)
		return "NA"
	lo = median("scale|" sr "|" scount[sr, 1] "|" t)
	hi = median("scale|" sr "|" scount[sr, ncount[sr]] "|" t)
	if (!isnum(lo) || !isnum(hi))
		return "NA"
	return hi - lo
}

# pairs(CASE): which nsdump runs are compared with which tcpdump runs, in P1[], P2[].
function pairs(c) {
	if (c ~ /^live/) {
		P1[1] = "nsdump"; P2[1] = "tcpdump-U"
		P1[2] = "nsdump"; P2[2] = "tcpdump-imm"
		P1[3] = "nsdump-veth"; P2[3] = "tcpdump-U"
		return 3
	}
	P1[1] = "nsdump"; P2[1] = "nsenter-tcpdump"
	P1[2] = "nsdump-veth"; P2[2] = "host-tcpdump"
	return 2
}

function has(c) { return c in seen }

# classify(METRIC, WHAT, RATIO, HIGHER_IS_BETTER, THRESHOLD): files WHAT under ahead, level
# or behind, by metric.
function classify(m, what, r, hib, th) {
	if (!isnum(r))
		return
	if (hib ? (r > 1 + th) : (r < 1 - th))
		AH[m] = AH[m] (AH[m] == "" ? "" : ", ") what
	else if (hib ? (r < 1 - th) : (r > 1 + th))
		BE[m] = BE[m] (BE[m] == "" ? "" : ", ") what
	else
		LE[m] = LE[m] (LE[m] == "" ? "" : ", ") what
}

function pairlabel(c, a, ref) {
	if (ref == "nsenter-tcpdump")
		return c
	if (ref == "host-tcpdump")
		return c " veth"
	return c " " (a == "nsdump-veth" ? "veth " : "") "vs " (ref == "tcpdump-U" ? "-U" : "imm")
}

function printclass(title, X,    m, line) {
	line = ""
	for (m = 1; m <= nm; m++)
		if (X[names[m]] != "")
			line = line "\n  - " label[names[m]] ": " X[names[m]]
	print "- **" title "**" (line == "" ? ": nowhere" : line)
}

# The headline ratios sorted into where nsdump is ahead, level, or behind (capture: 0.1 %
# either way; the rest: 10 %).
function summary(    i, j, c, np, a, ref, m, k, r) {
	nm = split("pct cpum rss p50 p99 start first", names, " ")
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c == "startup")
			continue
		np = pairs(c)
		for (j = 1; j <= np; j++) {
			a = P1[j]; ref = P2[j]
			if (!((c, ref) in tseen) || !((c, a) in tseen))
				continue
			for (m = 1; m <= 5; m++) {
				if ((names[m] == "p50" || names[m] == "p99") && c !~ /^live/)
					continue
				ratio(c, a, ref, names[m])
				k = "ratio|" c "|" a "|" ref "|" names[m]
				if (n[k] == 0)
					continue
				r = median(k)
				classify(names[m], pairlabel(c, a, ref) " " fmt(r, 2) "×", r, names[m] == "pct",
					names[m] == "pct" ? 0.001 : 0.1)
			}
		}
	}
	if (has("startup") && n["startup|nsdump|start"] > 0) {
		for (j = 1; j <= ntools["startup"]; j++) {
			ref = tools["startup", j]
			if (ref !~ /^tcpdump/)
				continue
			for (m = 6; m <= 7; m++) {
				if (n["startup|" ref "|" names[m]] == 0 || median("startup|" ref "|" names[m]) <= 0)
					continue
				classify(names[m], sprintf("%s ms against %s ms for %s",
					fmt(median("startup|nsdump|" names[m]), 1),
					fmt(median("startup|" ref "|" names[m]), 1), ref),
					median("startup|nsdump|" names[m]) / median("startup|" ref "|" names[m]), 0, 0.1)
			}
		}
	}
	if (n["startup|nsdump-ctr|start"] > 0 && n["startup|docker-tcpdump-U|start"] > 0) {
		for (m = 6; m <= 7; m++) {
			if (median("startup|docker-tcpdump-U|" names[m]) <= 0)
				continue
			classify(names[m], sprintf("--container: %s ms against %s ms for docker inspect + nsenter + tcpdump -U",
				fmt(median("startup|nsdump-ctr|" names[m]), 1),
				fmt(median("startup|docker-tcpdump-U|" names[m]), 1)),
				median("startup|nsdump-ctr|" names[m]) / median("startup|docker-tcpdump-U|" names[m]), 0, 0.1)
		}
	}
	nm = split("pct cpum rss p50 p99 start first scale growth", names, " ")
	# nsdump through the API, and from Docker's state on disk, against docker at the same
	# count of real containers, in the same rounds.
	for (i = 1; i <= 2; i++) {
		sr = (i == 1) ? "api" : "disk"
		for (j = 1; j <= ncount[sr]; j++) {
			cnt = scount[sr, j]
			for (m = 1; m <= 2; m++) {
				a = (m == 1) ? "nsdump-list" : "nsdump-D"
				ref = (m == 1) ? "docker-ps" : "docker-inspect"
				k = xratio(sr, cnt, a, ref)
				if (n[k] == 0)
					continue
				classify("scale", sprintf("%s%s against %s, %d container%s: %s×",
					(m == 1) ? "--list" : "--container NAME -D", (sr == "disk") ? " from state on disk" : "",
					(m == 1) ? "docker ps" : "docker inspect", cnt, cnt == 1 ? "" : "s", fmt(median(k), 2)),
					median(k), 0, 0.1)
			}
		}
	}
	# The cost of each container more: nsdump's (API, and state on disk up to the most
	# synthetic ones) against docker's through the API.
	for (i = 1; i <= 2; i++) {
		sr = (i == 1) ? "api" : "state"
		for (m = 1; m <= 2; m++) {
			a = (m == 1) ? "nsdump-list" : "nsdump-D"
			ref = (m == 1) ? "docker-ps" : "docker-inspect"
			ga = slope(sr, a)
			gr = slope("api", ref)
			if (!isnum(ga) || !isnum(gr))
				continue
			what = sprintf("%s%s %+.1f ms per 100 containers (%d to %d) against %s %+.1f ms (%d to %d)",
				(m == 1) ? "--list" : "--container NAME -D", (sr == "state") ? " from state on disk" : "",
				ga * 100, scount[sr, 1], scount[sr, ncount[sr]], (m == 1) ? "docker ps" : "docker inspect",
				gr * 100, scount["api", 1], scount["api", ncount["api"]])
			# A millisecond or two per 100 containers is noise on this machine: level unless
			# one side grows by 2 ms per 100 more than the other, and by 10 % more.
			if (ga > gr * 1.1 && (ga - gr) * 100 > 2)
				BE["growth"] = BE["growth"] (BE["growth"] == "" ? "" : ", ") what
			else if (gr > ga * 1.1 && (gr - ga) * 100 > 2)
				AH["growth"] = AH["growth"] (AH["growth"] == "" ? "" : ", ") what
			else
				LE["growth"] = LE["growth"] (LE["growth"] == "" ? "" : ", ") what
		}
	}
	print ""
	print "## Where nsdump is ahead, and where it is not"
	print ""
	print "The headline ratios of this run, sorted (capture is level within 0.1 %, the rest within"
	print "10 %). *case* alone: nsdump entering the namespace against nsenter + tcpdump; *case veth*:"
	print "nsdump's veth mode against tcpdump on the host end; *vs -U* / *vs imm*: the pipe cases"
	print "against tcpdump `-U` / `--immediate-mode -U`. Start-up and resolution: nsdump against"
	print "what a user types instead (wall time); growth: the time each container more adds, against"
	print "docker's through the Engine API."
	print ""
	printclass("ahead", AH)
	printclass("level", LE)
	printclass("behind", BE)
}

# One row of the scale table: SERIES at COUNT containers.
# The disk rows ran in the same rounds as the api rows: their docker columns are those.
function scale_row(sr, cnt,    k, kd, rl, ri, f) {
	k = "scale|" sr "|" cnt "|"
	kd = "scale|" ((sr == "disk") ? "api" : sr) "|" cnt "|"
	rl = xratio(sr, cnt, "nsdump-list", "docker-ps")
	ri = xratio(sr, cnt, "nsdump-D", "docker-inspect")
	f = sfails[k "nsdump-list"] + sfails[k "nsdump-D"] + sfails[k "docker-ps"] + sfails[k "docker-inspect"]
	printf "| %d | %s | %d%s | %s | %s | %s | %s | %s | %s |\n", cnt, seriesdesc[sr],
		sruns[k "nsdump-list"], f ? " (" f " failed)" : "",
		mmm(k "nsdump-list", 1), mmm(kd "docker-ps", 1), mmm(rl, 2),
		mmm(k "nsdump-D", 1), mmm(kd "docker-inspect", 1), mmm(ri, 2)
}

function scale_section(    i, j, sr, order, no, t, g, lo, hi) {
	print ""
	print "## Resolution at scale"
	print ""
	print "Milliseconds from launching the command (fork) to its exit, medians with min–max, every"
	print "command of a row interleaved in the same rounds (*rounds*; a run whose answer was wrong"
	print "is left out and counted as failed, see the checks); *ratio* is the median of the per-round"
	print "ratios nsdump/docker (below 1: nsdump is faster). `nsdump --list` lists every running"
	print "container of every runtime (with its PID, namespace and host peer); `nsdump --container"
	print "NAME -D` resolves NAME (it always reads the whole list, to see every runtime and to catch"
	print "ambiguous names), enters the container's namespace, lists its interfaces and exits: the"
	print "shortest run that resolves. Against `docker ps` and `docker inspect -f '{{.State.Pid}}'"
	print "NAME`, the step a user takes before `nsenter`. Containers: busybox `sleep`,"
	print "`--network none`. The synthetic rows are each a process of its own in a network"
	print "namespace of its own, with Docker's state on disk (a real container's `config.v2.json`"
	print "and runc `state.json`, copied, IDs, names, PIDs and start times rewritten) under a private"
	print "`--root`: what nsdump reads is what it reads for real containers when the socket is hidden"
	print "(compare the rows above them, whose docker columns are the Engine API rows' of the same"
	print "rounds), but no dockerd knows them, so docker has no column there. The containerd rows are"
	print "the same processes as containerd tasks (namespace `default`): the real container's task"
	print "files (`init.pid`, the OCI `config.json`) and runc `state.json`, copied likewise;"
	print "1000 real containers would take longer to start and remove than the run's time budget (see"
	print "bench/README.md)."
	print ""
	print "| containers | nsdump reads | rounds | nsdump --list | docker ps | ratio | nsdump --container NAME -D | docker inspect | ratio |"
	print "|---|---|---|---|---|---|---|---|---|"
	no = split("api disk state cstate", order, " ")
	for (i = 1; i <= no; i++) {
		sr = order[i]
		for (j = 1; j <= ncount[sr]; j++)
			scale_row(sr, scount[sr, j])
	}
	print ""
	for (i = 1; i <= no; i++) {
		sr = order[i]
		if (ncount[sr] < 2)
			continue
		lo = scount[sr, 1]
		hi = scount[sr, ncount[sr]]
		g = ""
		split("nsdump-list docker-ps nsdump-D docker-inspect", t, " ")
		for (j = 1; j <= 4; j++)
			if (isnum(grow(sr, t[j])))
				g = g (g == "" ? "" : ", ") sprintf("%s %+.1f ms (%.3f ms per container)", t[j],
					grow(sr, t[j]), grow(sr, t[j]) / (hi - lo))
		printf "- %s, from %d to %d containers: %s\n", seriesdesc[sr], lo, hi, g
	}
}

# The live-latency targets of issue 16, part 1: p99 at most 2 ms to a pipe at every paced
# rate, at no more than 1.2 x the CPU per packet of nsdump's own file mode at that rate; and
# to a file at 10 kpkt/s, no more CPU per packet than tcpdump's.
function issue16_live(    i, j, c, a, k, fc, q, ref) {
	print ""
	print "## The targets of issue 16, part 1 (live latency, paced CPU)"
	print ""
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c !~ /^live-rate64/)
			continue
		for (j = 1; j <= 2; j++) {
			a = (j == 1) ? "nsdump" : "nsdump-veth"
			k = c "|" a "|p99"
			if (n[k] == 0)
				continue
			printf "- %s, %s: latency p99 at most 2 ms: median %s ms, worst run %s ms (tcpdump --immediate-mode: %s ms) — **%s**\n",
				c, a, fmt(median(k), 2), fmt(maxv(k), 2), fmt(median(c "|tcpdump-imm|p99"), 2),
				(maxv(k) <= 2) ? "met" : (median(k) <= 2 ? "met in the median, not in every run" : "not met")
			fc = filecase[c]
			if (n[fc "|" a "|cpum"] > 0 && n[c "|" a "|cpum"] > 0 && median(fc "|" a "|cpum") > 0) {
				q = median(c "|" a "|cpum") / median(fc "|" a "|cpum")
				printf "- %s, %s: CPU per captured packet at most 1.2 × its own file mode (%s): %.2f × " \
					"(%s against %s s/M pkts; tcpdump --immediate-mode %s) — **%s**\n", c, a, fc, q,
					fmt(median(c "|" a "|cpum"), 3), fmt(median(fc "|" a "|cpum"), 3),
					fmt(median(c "|tcpdump-imm|cpum"), 3), (q <= 1.2) ? "met" : "not met"
			}
		}
	}
	if (has("rate64"))
		for (j = 1; j <= 2; j++) {
			a = (j == 1) ? "nsdump" : "nsdump-veth"
			ref = (j == 1) ? "nsenter-tcpdump" : "host-tcpdump"
			ratio("rate64", a, ref, "cpum")
			k = "ratio|rate64|" a "|" ref "|cpum"
			if (n[k] > 0)
				printf "- rate64 (file, paced), %s: CPU per captured packet at most 1.0 × %s's: %s — **%s**\n",
					a, ref, mmm(k, 2), (median(k) <= 1.0) ? "met" : "not met"
		}
}

# The start-up targets of issue 16, part 2: the first packet at the reader at most 10 ms
# after the launch for --pid and 12 ms for --container; and, when the run has them, the same
# rounds' figures of a second binary (BENCH_NSDUMP_BASE) beside them.
function issue16_startup(    i, a, k, lim, base, who) {
	if (!has("startup"))
		return
	print ""
	print "## The targets of issue 16, part 2 (start-up)"
	print ""
	split("nsdump nsdump-veth nsdump-ctr nsdump-ctr-setns", who, " ")
	for (i = 1; i <= 4; i++) {
		a = who[i]
		k = "startup|" a "|first"
		if (n[k] == 0)
			continue
		lim = (a ~ /ctr/) ? 12 : 10
		printf "- %s: first packet at the reader at most %d ms after the launch: %s ms — **%s**\n",
			a, lim, mmm(k, 1), median(k) <= lim ? (maxv(k) <= lim ? "met" : "met in the median") : "not met"
		base = (a == "nsdump") ? "base" : (a == "nsdump-veth") ? "base-veth" : (a == "nsdump-ctr") ? "base-ctr" : ""
		if (base != "" && n["startup|" base "|first"] > 0)
			printf "  - in the same rounds, BENCH_NSDUMP_BASE's binary (%s): %s ms\n", base,
				mmm("startup|" base "|first", 1)
	}
}

# Issue 16, part 4: at least 99.9 % captured in every round of 1514-byte frames flat out to
# a file, with one sender and with two.
function issue16_loss(    i, j, c, a, k) {
	if (!has("max1514") && !has("max1514x2"))
		return
	print ""
	print "## The targets of issue 16, part 4 (no loss at 1514 bytes)"
	print ""
	for (i = 1; i <= 2; i++) {
		c = (i == 1) ? "max1514" : "max1514x2"
		for (j = 1; j <= 2; j++) {
			a = (j == 1) ? "nsdump" : "nsdump-veth"
			k = c "|" a "|pct"
			if (n[k] == 0)
				continue
			printf "- %s, %s: at least 99.9 %% captured in every round: %s %% — **%s**\n", c, a,
				mmm(k, 2), (minv(k) >= 99.9) ? "met" : \
				((median(k) >= 99.9) ? "met in the median, not in every round" : "not met")
		}
	}
}

# Issue 16, part 5: the live status line costs no measurable CPU. nsdump-tty (standard error
# a pseudo-terminal, the line rewritten once a second) against nsdump (standard error a file)
# in the same rounds, CPU per captured packet; "measurable" = outside the spread of nsdump's
# own rounds (its max / min).
function issue16_status(    k, kt, kr, spread, q) {
	if (!(("status64", "nsdump") in tseen) || !(("status64", "nsdump-tty") in tseen))
		return
	print ""
	print "## The targets of issue 16, part 5 (the live status line)"
	print ""
	k = "status64|nsdump|cpum"
	kt = "status64|nsdump-tty|cpum"
	if (n[k] == 0 || n[kt] == 0 || minv(k) <= 0)
		return
	ratio("status64", "nsdump-tty", "nsdump", "cpum")
	kr = "ratio|status64|nsdump-tty|nsdump|cpum"
	spread = maxv(k) / minv(k)
	q = median(kr)
	printf "- status line on a terminal, CPU per captured packet against standard error a file: " \
		"%s (per-round ratios), %s against %s s/M pkts; nsdump's own rounds spread %.2f× — **%s**\n",
		mmm(kr, 2), fmt(median(kt), 3), fmt(median(k), 3), spread,
		(q <= spread) ? "no measurable cost" : "measurable"
}

END {
	print "## Headline: nsdump / tcpdump"
	print ""
	print "Median of the per-round ratios (each round runs every tool once, back to back), with"
	print "min–max. Capture: above 1 means nsdump kept more packets. CPU per captured packet, peak"
	print "RSS and latency: below 1 means nsdump is cheaper or faster. In the file cases nsdump"
	print "entering the namespace (`--mode setns`) is compared with `nsenter -t PID -n tcpdump -i eth0"
	print "-w FILE`, nsdump on the host end of the veth pair (`--mode veth`) with tcpdump on that host"
	print "interface; in the pipe cases both write to the same reader, tcpdump with `-U` or with"
	print "`--immediate-mode -U`."
	print ""
	print "| case | nsdump | against | capture | CPU per captured packet | peak RSS | latency p50 | latency p99 |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c == "startup")
			continue
		np = pairs(c)
		for (j = 1; j <= np; j++) {
			a = P1[j]; ref = P2[j]
			if (!((c, ref) in tseen) || !((c, a) in tseen))
				continue
			lat50 = (c ~ /^live/) ? ratio(c, a, ref, "p50") : "–"
			lat99 = (c ~ /^live/) ? ratio(c, a, ref, "p99") : "–"
			printf "| %s (%s) | %s | %s | %s | %s | %s | %s | %s |\n", c, casedesc[c], a, ref,
				ratio(c, a, ref, "pct"), ratio(c, a, ref, "cpum"), ratio(c, a, ref, "rss"),
				lat50, lat99
		}
	}
	print ""
	print "## Absolute numbers"
	print ""
	print "Medians with min–max. *captured* is what was read back (capinfos for files, the reader"
	print "for pipes) over what udpsend sent; *kernel drops* as the tool reported them on stderr;"
	print "*link* = sent but never received by the host end of the veth pair (dropped by the pair"
	print "itself, e.g. a full backlog: invisible to captures on the host end, seen by the ones inside);"
	print "*unaccounted* = sent − captured − kernel drops (− link, for captures on the host end):"
	print "packets lost without being reported;"
	print "*CPU* = user + system seconds of the capturing process over the whole run (wait4);"
	print "*rate* = what the sender achieved while that tool captured."
	print ""
	print "| case | tool | runs | rate kpkt/s | captured % | kernel drops | link | unaccounted | CPU s | CPU s / M pkts | peak RSS MiB | latency p50 ms | latency p99 ms |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c == "startup")
			continue
		for (j = 1; j <= ntools[c]; j++) {
			t = tools[c, j]
			k = c "|" t "|"
			nruns = runs[c, t] - fails[c, t]
			printf "| %s | %s | %d%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, t, nruns,
				fails[c, t] ? " (" fails[c, t] " failed)" : "",
				mmm(k "kpps", 0), mmm(k "pct", 2), mmm(k "drops", 0), mmm(k "link", 0), mmm(k "lost", 0),
				mmm(k "cpu", 3), mmm(k "cpum", 3), mmm(k "rss", 1), mmm(k "p50", 1),
				mmm(k "p99", 1)
		}
	}
	if (has("startup")) {
		print ""
		print "## Start-up"
		print ""
		print "Milliseconds from launching the command (fork) to the kernel time stamp of the first"
		print "packet it captured (*capture starts*), and to that packet reaching a reader through the"
		print "pipe (*first packet at the reader*), with 10000 packets/s flowing, all interleaved in the"
		if (("startup", "nsdump-ctr") in tseen) {
			print "same rounds. The first four take the target by PID; the last three take a real Docker"
			print "container (busybox, `--network none` plus a veth pair of the benchmark's) by name, the"
			print "by-hand chain timed as one command from its launch: `docker inspect` (a client start and"
			print "an API call), then `nsenter` execs `tcpdump`."
		} else
			print "same rounds. No Docker container this time (see the settings above)."
		print ""
		print "| tool | command | runs | capture starts ms | first packet at the reader ms |"
		print "|---|---|---|---|---|"
		for (j = 1; j <= ntools["startup"]; j++) {
			t = tools["startup", j]
			k = "startup|" t "|"
			printf "| %s | %s | %d%s | %s | %s |\n", t, (t in startdesc) ? startdesc[t] : "", n[k "start"],
				fails["startup", t] ? " (" fails["startup", t] " failed)" : "",
				mmm(k "start", 1), mmm(k "first", 1)
		}
	}

	if (nseries > 0)
		scale_section()

	print ""
	print "## The targets of issue 5 (\"No silent loss, low cost\")"
	print ""
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c != "max64" && c != "max1514")
			continue
		np = pairs(c)
		for (j = 1; j <= np; j++) {
			a = P1[j]; ref = P2[j]
			k = c "|" a "|pct"
			if (n[k] == 0)
				continue
			v = median(k)
			printf "- %s, %s: capture at least 99.9%% at the highest rate: %s%% (worst run %s%%), " \
				"%s %s%% (worst run %s%%) — **%s**\n", c, a, fmt(v, 2), fmt(minv(k), 2), ref,
				fmt(median(c "|" ref "|pct"), 2), fmt(minv(c "|" ref "|pct"), 2),
				(minv(k) >= 99.9) ? "met" : (v >= 99.9 ? "met in the median, not in every run" : "not met")
			ratio(c, a, ref, "cpum")
			k = "ratio|" c "|" a "|" ref "|cpum"
			if (n[k] > 0)
				printf "- %s, %s: CPU per captured packet at most 0.7 × %s's: %s — **%s**\n", c, a,
					ref, mmm(k, 2), (median(k) <= 0.7) ? "met" : "not met"
			ratio(c, a, ref, "rss")
			k = "ratio|" c "|" a "|" ref "|rss"
			if (n[k] > 0)
				printf "- %s, %s: peak RSS at most 2 × %s's: %s (%s MiB against %s MiB) — **%s**\n",
					c, a, ref, mmm(k, 2), fmt(median(c "|" a "|rss"), 1),
					fmt(median(c "|" ref "|rss"), 1), (median(k) <= 2) ? "met" : "not met"
		}
	}
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c !~ /^live/)
			continue
		for (j = 1; j <= 2; j++) {
			a = (j == 1) ? "nsdump" : "nsdump-veth"
			k = c "|" a "|p99"
			if (n[k] == 0)
				continue
			printf "- %s, %s: packets reach the reader within 100 ms: p99 %s ms, worst run %s ms — **%s**\n",
				c, a, fmt(median(k), 1), fmt(maxv(k), 1), (maxv(k) <= 100) ? "met" : "not met"
			fc = filecase[c]
			if (n[fc "|" a "|cpum"] > 0 && n[c "|" a "|cpum"] > 0 && median(fc "|" a "|cpum") > 0) {
				q = median(c "|" a "|cpum") / median(fc "|" a "|cpum")
				printf "- %s, %s: CPU per captured packet live at most 1.5 × file mode (%s): %.2f × " \
					"(%s against %s s/M pkts) — **%s**\n", c, a, fc, q,
					fmt(median(c "|" a "|cpum"), 3), fmt(median(fc "|" a "|cpum"), 3),
					(q <= 1.5) ? "met" : "not met"
			}
		}
	}
	nl = 0
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		for (j = 1; j <= 2; j++) {
			a = (j == 1) ? "nsdump" : "nsdump-veth"
			k = c "|" a "|lost"
			if (c == "startup" || n[k] == 0)
				continue
			nl += n[k]
			if (maxv(k) != 0)
				lostcases = lostcases " " c "/" a " (up to " maxv(k) ")"
		}
	}
	if (nl > 0)
		printf "- nothing lost without being reported (sent = captured + kernel drops, + link for veth mode) in all %d nsdump runs: **%s**%s\n",
			nl, lostcases == "" ? "met" : "not met", lostcases == "" ? "" : ": " lostcases

	issue16_live()
	issue16_startup()
	issue16_loss()
	issue16_status()

	summary()

	print ""
	print "## Checks"
	print ""
	for (i = 1; i <= ncases; i++) {
		c = cases[i]
		if (c !~ /^(live-)?rate64/)
			continue
		line = ""
		for (j = 1; j <= ntools[c]; j++) {
			t = tools[c, j]
			line = line (line == "" ? "" : ", ") t " " (exact[c, t] + 0) "/" runs[c, t]
		}
		printf "- %s: runs in which exactly the packets sent were captured: %s\n", c, line
	}
	if (nseries > 0)
		printf "- resolution at scale: runs whose answer listed exactly the containers there were (or resolved and listed the interfaces, or printed a PID): %d of %d\n",
			nscale - nsfail, nscale
	for (i = 1; i <= nsfail; i++)
		print "- FAILED: scale " sfailed[i]
	if (nodd == 0)
		print "- no run read back more packets than were sent, and every packet sent was either captured or reported dropped (but for tcpdump in tail64)"
	for (i = 1; i <= nodd; i++)
		print "- SUSPICIOUS: " odd[i]
}
