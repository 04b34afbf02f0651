// Sends COUNT UDP datagrams of SIZE payload bytes to DST:PORT at about RATE packets/s with
// sendmmsg (batches of 64), paced against CLOCK_MONOTONIC; prints "sent seconds achieved_rate".
// Bench only (compiled by bench/capture.bench.ts with gcc); run inside a test namespace.
// argv: dst port count rate size
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 6) return 2;
  const char *dst = argv[1];
  int port = atoi(argv[2]);
  long count = atol(argv[3]);
  double rate = atof(argv[4]);
  int size = atoi(argv[5]);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, dst, &sa.sin_addr);
  char *payload = calloc(1, size);
  enum { B = 64 };
  struct mmsghdr msgs[B];
  struct iovec iov[B];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < B; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &sa;
    msgs[i].msg_hdr.msg_namelen = sizeof sa;
  }
  long sent = 0;
  double t0 = now();
  while (sent < count) {
    int n = count - sent < B ? (int)(count - sent) : B;
    int r = sendmmsg(s, msgs, n, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
        usleep(50);
        continue;
      }
      perror("sendmmsg");
      return 1;
    }
    sent += r;
    double ahead = sent / rate - (now() - t0);
    if (ahead > 0.0002) usleep((useconds_t)(ahead * 1e6));
  }
  double el = now() - t0;
  printf("%ld %.4f %.0f\n", sent, el, sent / el);
  return 0;
}
