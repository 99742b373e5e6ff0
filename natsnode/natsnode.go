// Package natsnode runs a NATS server with JetStream inside the process —
// one node alone or one node of a cluster — so a milp-lite cluster can be
// tried, and tested, with nothing else installed. Production points at its
// own NATS.
package natsnode

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options say where a node listens and whom it joins.
type Options struct {
	Addr     string // HOST:PORT for clients (port 0: any free port)
	StoreDir string // where JetStream keeps its streams
	Name     string // the node's name, unique in its cluster ("": the client address)
	Cluster  string // HOST:PORT for the other nodes ("": a single node)
	Routes   []string
	// ClusterName names the cluster every node of it shares.
	ClusterName string
	Logs        bool // the server's log on stderr
}

// Start runs a node and waits until it takes connections.
func Start(o Options) (*server.Server, error) {
	host, port, err := hostPort(o.Addr, "--addr")
	if err != nil {
		return nil, err
	}
	if o.StoreDir == "" {
		return nil, errors.New("a NATS node needs --store, the folder where JetStream keeps its data")
	}
	opts := &server.Options{Host: host, Port: port, JetStream: true, StoreDir: o.StoreDir, ServerName: o.Name,
		NoSigs: true, MaxPayload: 8 << 20}
	if opts.ServerName == "" {
		opts.ServerName = strings.ReplaceAll(o.Addr, ":", "-")
	}
	if o.Cluster != "" {
		ch, cp, err := hostPort(o.Cluster, "--cluster")
		if err != nil {
			return nil, err
		}
		opts.Cluster = server.ClusterOpts{Name: o.ClusterName, Host: ch, Port: cp}
		if opts.Cluster.Name == "" {
			opts.Cluster.Name = "milp"
		}
		for _, r := range o.Routes {
			if !strings.HasPrefix(r, "nats://") {
				return nil, fmt.Errorf("--routes: %q is not a nats://HOST:PORT URL", r)
			}
		}
		opts.Routes = server.RoutesFromStr(strings.Join(o.Routes, ","))
	} else if len(o.Routes) > 0 {
		return nil, errors.New("--routes needs --cluster, the address this node's routes listen on")
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, err
	}
	if o.Logs {
		ns.ConfigureLogger()
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("the NATS node on %s did not start within 30 s", o.Addr)
	}
	return ns, nil
}

// hostPort splits HOST:PORT; port 0 is any free port.
func hostPort(addr, flag string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%s %q: want HOST:PORT, such as 127.0.0.1:4222", flag, addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("%s %q: the port must be 0 to 65535", flag, addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return h, port, nil
}

// FreePorts are n loopback ports free at the time of asking, for the
// cluster addresses of nodes that must know each other's before starting.
func FreePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Cluster is n nodes on loopback, each storing under dir/<name>.
type Cluster struct {
	Nodes []*server.Server
	opts  []Options
}

// StartCluster runs n nodes routed to one another on loopback.
func StartCluster(dir string, n int) (*Cluster, error) {
	ports, err := FreePorts(2 * n)
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	for i := range n {
		o := Options{Addr: fmt.Sprintf("127.0.0.1:%d", ports[i]), StoreDir: fmt.Sprintf("%s/n%d", dir, i+1), Name: fmt.Sprintf("n%d", i+1),
			Cluster: fmt.Sprintf("127.0.0.1:%d", ports[n+i])}
		for k := range n {
			if k != i {
				o.Routes = append(o.Routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+k]))
			}
		}
		c.opts = append(c.opts, o)
	}
	c.Nodes = make([]*server.Server, n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			var err error
			c.Nodes[i], err = Start(c.opts[i])
			errs <- err
		}()
	}
	for range n {
		if e := <-errs; e != nil {
			err = e
		}
	}
	if err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

// URLs are the nodes' client URLs, comma-separated.
func (c *Cluster) URLs() string {
	var urls []string
	for _, o := range c.opts {
		urls = append(urls, "nats://"+o.Addr)
	}
	return strings.Join(urls, ",")
}

// Stop shuts node i down, as a crash of its machine would.
func (c *Cluster) Stop(i int) {
	c.Nodes[i].Shutdown()
	c.Nodes[i].WaitForShutdown()
}

// Restart starts node i again on its address and store.
func (c *Cluster) Restart(i int) error {
	ns, err := Start(c.opts[i])
	if err == nil {
		c.Nodes[i] = ns
	}
	return err
}

// Shutdown stops every node.
func (c *Cluster) Shutdown() {
	for _, ns := range c.Nodes {
		if ns != nil {
			ns.Shutdown()
			ns.WaitForShutdown()
		}
	}
}
