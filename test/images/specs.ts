/**
 * The test images: what goes into each and under which names. Everything comes from this host's
 * Debian packages (installed by scripts/install-deps), nothing from a registry:
 *
 * | image | from | notes |
 * |---|---|---|
 * | busybox | busybox-static | `sh`, all applets, /etc/passwd; Cmd `sh` |
 * | nginx | nginx (+ libs via ldd), busybox | "Welcome to nginx!" on :80, access log to stdout, errors to stderr, user nginx (101), StopSignal SIGQUIT, Cmd `nginx -g "daemon off;"` as upstream |
 * | redis | redis-tools' server binary and redis-cli (+ libs), busybox | :6379, `--protected-mode no` as upstream's entrypoint adds, WorkingDir /data |
 * | pause | catatonit | the same image the node builds (src/kubelet/images/pause-image.ts) |
 *
 * Tags are names only: Debian 12 ships nginx 1.22 and redis 7.0, tagged with what manifests ask
 * for (nginx:1.27 …), so fixtures work unchanged.
 */
import type { ImageRuntimeConfig } from "../../src/kubelet/images/oci-image.ts";
import { pauseImageContents } from "../../src/kubelet/images/pause-image.ts";
import type { TarEntry } from "../../src/kubelet/images/tar.ts";
import { Rootfs } from "./rootfs.ts";

export interface ImageContents {
  readonly files: TarEntry[];
  readonly config: ImageRuntimeConfig;
}

export interface TestImageSpec {
  /** Repository name as manifests write it (`nginx`, `registry.k8s.io/pause`). */
  readonly repo: string;
  readonly tags: readonly string[];
  /** The image's files and runtime config. */
  readonly build: () => ImageContents | Promise<ImageContents>;
}

const nginxConf = `user nginx;
worker_processes auto;
error_log /dev/stderr notice;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    access_log /dev/stdout main;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
`;

const nginxDefaultServer = `server {
    listen 80;
    server_name localhost;

    location / {
        root /usr/share/nginx/html;
        index index.html index.htm;
    }

    error_page 500 502 503 504 /50x.html;
    location = /50x.html {
        root /usr/share/nginx/html;
    }
}
`;

const nginxIndex = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginx50x = `<!DOCTYPE html>
<html>
<head><title>Error</title></head>
<body><h1>An error occurred.</h1><p>Sorry, the page you are looking for is currently unavailable.</p></body>
</html>
`;

export const testImageSpecs: readonly TestImageSpec[] = [
  {
    repo: "busybox",
    tags: ["1.36", "1.37", "1", "latest"],
    build: () => ({ files: new Rootfs().busybox().entries(), config: { cmd: ["sh"] } }),
  },
  {
    repo: "nginx",
    tags: ["1.25", "1.26", "1.27", "1.28", "1.29", "1", "stable", "latest"],
    build: () => {
      const fs = new Rootfs()
        .busybox()
        .user({ name: "nginx", uid: 101, gid: 101, home: "/nonexistent" })
        .binary("/usr/sbin/nginx")
        .hostFile("/etc/nginx/mime.types")
        .file("/etc/nginx/nginx.conf", nginxConf)
        .file("/etc/nginx/conf.d/default.conf", nginxDefaultServer)
        .file("/usr/share/nginx/html/index.html", nginxIndex)
        .file("/usr/share/nginx/html/50x.html", nginx50x)
        .dir("/var/lib/nginx")
        .dir("/var/cache/nginx")
        .dir("/run")
        .symlink("/var/log/nginx/access.log", "/dev/stdout")
        .symlink("/var/log/nginx/error.log", "/dev/stderr");
      return {
        files: fs.entries(),
        config: {
          cmd: ["nginx", "-g", "daemon off;"],
          exposedPorts: ["80/tcp"],
          stopSignal: "SIGQUIT",
          labels: { maintainer: "bosun test images (Debian nginx)" },
        },
      };
    },
  },
  {
    repo: "redis",
    tags: ["7", "7.0", "latest"],
    build: () => {
      const fs = new Rootfs()
        .busybox()
        .user({ name: "redis", uid: 999, gid: 999, home: "/data" })
        // redis-tools ships the server as redis-check-rdb; the program picks its mode by argv[0].
        .binary("/usr/bin/redis-check-rdb", "/usr/bin/redis-server")
        .binary("/usr/bin/redis-cli")
        .dir("/data");
      return {
        files: fs.entries(),
        config: {
          cmd: ["redis-server", "--protected-mode", "no"],
          workingDir: "/data",
          exposedPorts: ["6379/tcp"],
        },
      };
    },
  },
  {
    repo: "registry.k8s.io/pause",
    tags: ["3.10.1", "3.10", "3.9", "3.6"],
    build: () => pauseImageContents(),
  },
];
