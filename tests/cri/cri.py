#!/usr/bin/python3
"""A small CRI client for the tests: talks to containerd's CRI plugin the way kubelet does.

crictl is not packaged in Debian 12. This speaks runtime.v1 over the daemon's gRPC socket with
Debian's python3-grpcio, from the message subset in runtime.proto beside it. That file is
compiled when first needed (grpc_tools' protoc, python3-grpc-tools) into a descriptor set
(--desc FILE, or $CRI_DESC), and the message classes are built from it at run time: no
generated code is kept, and a descriptor set does not depend on the protobuf runtime's version
the way generated Python code does.

Run it with Debian's /usr/bin/python3 (a python3 earlier on PATH may not see Debian's
modules). Commands (ids are printed on stdout, errors on stderr with exit status 1):

  version                        runtime name and version
  image-present IMAGE            exit 0 when the CRI sees IMAGE, 1 when not
  runp --name N --namespace NS --uid U [--hostname H]
                                 RunPodSandbox; prints the sandbox id
  create SANDBOX --container C --image IMG --pod-name N --pod-namespace NS --pod-uid U
         [--attempt K] -- CMD...
                                 CreateContainer (with the pod's config, as kubelet sends it;
                                 a container started again is made anew with attempt K+1)
  start CONTAINER                StartContainer
  podstatus SANDBOX              one JSON object: state, ip, pid, netns (path)
  ctrstatus CONTAINER            the state: CONTAINER_RUNNING, ...
  pods                           ListPodSandbox: "id namespace/name state" per line
  stopp SANDBOX / rmp SANDBOX    StopPodSandbox / RemovePodSandbox
  oci-image --rootfs TAR --name REF --out FILE -- CMD...
                                 an OCI image archive of one layer for `ctr images import`
                                 (no daemon; containerd names it from the annotation
                                 io.containerd.image.name)
"""

import argparse
import hashlib
import io
import json
import os
import platform
import sys
import tarfile
import tempfile

RPC_TIMEOUT = 60  # seconds; RunPodSandbox runs runc and the CNI plugins, about 1 s here
HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    print("cri.py: " + msg, file=sys.stderr)
    sys.exit(1)


def load_messages(desc_path):
    """Message classes by full name ("runtime.v1.VersionRequest"), from the descriptor set."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    if not os.path.exists(desc_path):
        from grpc_tools import protoc

        # Written beside, then renamed: two clients started at once never read half a file.
        tmp = desc_path + ".%d" % os.getpid()
        rc = protoc.main(["protoc", "-I" + HERE, "--descriptor_set_out=" + tmp, "runtime.proto"])
        if rc != 0:
            die("protoc failed on %s/runtime.proto (status %d)" % (HERE, rc))
        os.replace(tmp, desc_path)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(desc_path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    classes = {}
    for fd in fds.file:
        fdesc = pool.FindFileByName(fd.name)
        for name, mdesc in fdesc.message_types_by_name.items():
            # protobuf >= 4.22 has GetMessageClass; 4.21 (Debian 12) only the factory.
            if hasattr(message_factory, "GetMessageClass"):
                cls = message_factory.GetMessageClass(mdesc)
            else:
                cls = message_factory.MessageFactory(pool).GetPrototype(mdesc)
            classes[fd.package + "." + name] = cls
    return classes


class Cri:
    def __init__(self, socket, desc):
        import grpc

        self.grpc = grpc
        self.m = load_messages(desc)
        self.chan = grpc.insecure_channel("unix:" + socket)

    def msg(self, _type, **kw):
        return self.m["runtime.v1." + _type](**kw)

    def call(self, service, method, req):
        resp_cls = self.m["runtime.v1." + method + "Response"]
        rpc = self.chan.unary_unary(
            "/runtime.v1.%s/%s" % (service, method),
            request_serializer=lambda r: r.SerializeToString(),
            response_deserializer=resp_cls.FromString,
        )
        try:
            return rpc(req, timeout=RPC_TIMEOUT)
        except self.grpc.RpcError as e:
            die("%s: %s: %s" % (method, e.code().name, e.details()))

    def rt(self, method, **kw):
        return self.call("RuntimeService", method, self.msg(method + "Request", **kw))

    def sandbox_config(self, a):
        """The pod's config; kubelet sends the same one to RunPodSandbox and CreateContainer."""
        return self.msg(
            "PodSandboxConfig",
            metadata=self.msg("PodSandboxMetadata", name=a.name, namespace=a.namespace,
                              uid=a.uid, attempt=0),
            hostname=a.hostname or a.name,
            log_directory=a.log_dir or "",
            linux=self.msg(
                "LinuxPodSandboxConfig",
                security_context=self.msg(
                    "LinuxSandboxSecurityContext",
                    namespace_options=self.msg("NamespaceOption", network=0, pid=1, ipc=0),
                ),
            ),
        )


def oci_image(rootfs, name, out, cmd):
    """An OCI image layout archive: one uncompressed layer (the rootfs tar), a config whose
    Cmd is cmd, a manifest, and an index naming the image for containerd."""
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    blobs = {}

    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest

    with open(rootfs, "rb") as f:
        layer = f.read()
    layer_digest = blob(layer)
    config = json.dumps({
        "architecture": arch,
        "os": "linux",
        "config": {"Cmd": cmd, "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }).encode()
    config_digest = blob(config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": len(layer)}],
    }).encode()
    manifest_digest = blob(manifest)
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": len(manifest),
            "platform": {"architecture": arch, "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": tag},
        }],
    }).encode()
    files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)]
    files += [("blobs/sha256/" + d.split(":", 1)[1], data) for d, data in blobs.items()]
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)))
    with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w") as t:
        for path, data in files:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    os.replace(tmp, out)


def main():
    p = argparse.ArgumentParser(prog="cri.py", description="A small CRI client for the tests.")
    p.add_argument("--socket", default=os.environ.get("CRI_SOCKET",
                                                      "/run/containerd/containerd.sock"))
    p.add_argument("--desc", default=os.environ.get("CRI_DESC"),
                   help="compiled runtime.proto (made when missing)")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("version")
    s = sub.add_parser("image-present")
    s.add_argument("image")
    for name in ("runp", "create"):
        s = sub.add_parser(name)
        if name == "create":
            s.add_argument("sandbox")
            s.add_argument("--image", required=True)
            s.add_argument("--container", required=True)
            s.add_argument("--attempt", type=int, default=0,
                           help="the restart count kubelet gives a container made anew")
            s.add_argument("command", nargs="+")
        pre = "pod-" if name == "create" else ""
        s.add_argument("--" + pre + "name", dest="name", required=True)
        s.add_argument("--" + pre + "namespace", dest="namespace", required=True)
        s.add_argument("--" + pre + "uid", dest="uid", required=True)
        s.add_argument("--hostname")
        s.add_argument("--log-dir")
    for name in ("start", "podstatus", "ctrstatus", "stopp", "rmp"):
        sub.add_parser(name).add_argument("id")
    sub.add_parser("pods")
    s = sub.add_parser("oci-image")
    s.add_argument("--rootfs", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("command", nargs="+")
    a = p.parse_args()

    if a.cmd == "oci-image":
        oci_image(a.rootfs, a.name, a.out, a.command)
        return
    if not a.desc:
        a.desc = os.path.join(tempfile.gettempdir(), "nsdump-cri-%d.desc" % os.getuid())
    c = Cri(a.socket, a.desc)
    if a.cmd == "version":
        r = c.rt("Version", version="v1")
        print(r.runtime_name, r.runtime_version, r.runtime_api_version)
    elif a.cmd == "image-present":
        r = c.call("ImageService", "ImageStatus",
                   c.msg("ImageStatusRequest", image=c.msg("ImageSpec", image=a.image)))
        sys.exit(0 if r.image.id else 1)
    elif a.cmd == "runp":
        print(c.rt("RunPodSandbox", config=c.sandbox_config(a)).pod_sandbox_id)
    elif a.cmd == "create":
        config = c.msg(
            "ContainerConfig",
            metadata=c.msg("ContainerMetadata", name=a.container, attempt=a.attempt),
            image=c.msg("ImageSpec", image=a.image),
            command=a.command,
            log_path=a.container + ".log" if a.log_dir else "",
        )
        r = c.rt("CreateContainer", pod_sandbox_id=a.sandbox, config=config,
                 sandbox_config=c.sandbox_config(a))
        print(r.container_id)
    elif a.cmd == "start":
        c.rt("StartContainer", container_id=a.id)
    elif a.cmd == "podstatus":
        r = c.rt("PodSandboxStatus", pod_sandbox_id=a.id, verbose=True)
        info = json.loads(r.info.get("info", "{}"))
        netns = ""
        for ns in info.get("runtimeSpec", {}).get("linux", {}).get("namespaces", []):
            if ns.get("type") == "network":
                netns = ns.get("path", "")
        state = c.m["runtime.v1.PodSandboxStatus"].DESCRIPTOR.fields_by_name["state"]
        print(json.dumps({
            "state": state.enum_type.values_by_number[r.status.state].name,
            "ip": r.status.network.ip,
            "pid": info.get("pid", 0),
            "netns": netns,
        }))
    elif a.cmd == "ctrstatus":
        r = c.rt("ContainerStatus", container_id=a.id)
        state = c.m["runtime.v1.ContainerStatus"].DESCRIPTOR.fields_by_name["state"]
        print(state.enum_type.values_by_number[r.status.state].name)
    elif a.cmd == "pods":
        state = c.m["runtime.v1.PodSandbox"].DESCRIPTOR.fields_by_name["state"]
        for s in c.rt("ListPodSandbox").items:
            print(s.id, "%s/%s" % (s.metadata.namespace, s.metadata.name),
                  state.enum_type.values_by_number[s.state].name)
    elif a.cmd == "stopp":
        c.rt("StopPodSandbox", pod_sandbox_id=a.id)
    elif a.cmd == "rmp":
        c.rt("RemovePodSandbox", pod_sandbox_id=a.id)


if __name__ == "__main__":
    main()
