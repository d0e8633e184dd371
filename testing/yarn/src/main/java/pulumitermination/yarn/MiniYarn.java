package pulumitermination.yarn;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.ha.HAServiceProtocol;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.event.AsyncDispatcher;
import org.apache.hadoop.yarn.event.Dispatcher;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;

/**
 * A real YARN ResourceManager (and one NodeManager) in one JVM, for the tests of
 * YarnApplicationTermination: Hadoop's own MiniYARNCluster, nothing modelled.
 *
 * <pre>
 *   java -cp CLASSPATH pulumitermination.yarn.MiniYarn rm WORKDIR [--ha]
 *   java -cp CONFDIR:CLASSPATH pulumitermination.yarn.MiniYarn am SECONDS FINAL_STATUS
 * </pre>
 *
 * rm: starts the cluster and prints one JSON line on stdout once it takes requests:
 * {"ready":true,"rm":["http://127.0.0.1:PORT",...],"java":...,"amClasspath":...}. In HA mode the
 * first RM is active and the second standby. It reads commands on stdin, one a line, and answers
 * each with one JSON line: "failover" (make the other RM the active one), "stop". End of stdin
 * stops it too, so a test process that dies takes the cluster with it.
 *
 * am: the application master that test applications run (the command of their AM container):
 * registers with the RM, so the application reaches RUNNING, heartbeats, and after SECONDS
 * unregisters with FINAL_STATUS (an application that finishes on its own). A kill ends it
 * earlier: the NodeManager stops its container.
 */
public final class MiniYarn {
  private MiniYarn() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      // Hadoop's service threads would keep the JVM alive after a failed start: say why, and exit.
      t.printStackTrace();
      System.out.println("{\"ready\":false,\"error\":" + json(String.valueOf(t)) + "}");
      System.out.flush();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("am")) {
      am(Integer.parseInt(args[1]), FinalApplicationStatus.valueOf(args[2]));
    } else if (args.length >= 2 && args[0].equals("rm")) {
      rm(new File(args[1]), args.length > 2 && args[2].equals("--ha"));
    } else {
      System.err.println("usage: MiniYarn rm WORKDIR [--ha] | am SECONDS FINAL_STATUS");
      System.exit(2);
    }
  }

  private static void rm(File work, boolean ha) throws Exception {
    // MiniYARNCluster keeps its directories under test.build.data (GenericTestUtils.getTestDir).
    System.setProperty("test.build.data", new File(work, "data").getAbsolutePath());
    File confDir = new File(work, "am-conf");
    confDir.mkdirs();

    // The settings are in yarn-site.xml and capacity-scheduler.xml beside this source (testing/yarn/conf,
    // on the classpath): an RM that becomes active re-reads those files, not settings made here.
    YarnConfiguration conf = new YarnConfiguration();
    if (ha) {
      // Two RMs; MiniYARNCluster makes the first active. No ZooKeeper: failover is manual. Fixed
      // addresses, as an HA pair has them: with port 0 each RM would know neither its own bound ports
      // (they are not written back per RM id) nor the other's, so no AM could find the scheduler and
      // no standby the active RM (RMHAUtils.findActiveRMHAId). Ports are free ones, picked here.
      conf.setBoolean("yarn.resourcemanager.ha.automatic-failover.enabled", false);
      conf.setBoolean("yarn.resourcemanager.ha.automatic-failover.embedded", false);
      conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_FIXED_PORTS, true);
      conf.set(YarnConfiguration.RM_HA_IDS, "rm0,rm1");
      for (String id : new String[] {"rm0", "rm1"}) {
        for (String key : YarnConfiguration.getServiceAddressConfKeys(conf)) {
          conf.set(key + "." + id, "127.0.0.1:" + freePort());
        }
      }
    }

    MiniYARNCluster cluster = new MiniYARNCluster("pulumi-termination", ha ? 2 : 1, 1, 1, 1);
    cluster.init(conf);
    cluster.start();
    int rms = ha ? 2 : 1;
    List<String> webapps = new ArrayList<>();
    for (int i = 0; i < rms; i++) {
      webapps.add(webapp(cluster.getResourceManager(i)));
    }
    writeAmConf(cluster, conf, ha, new File(confDir, "yarn-site.xml"));

    String java = new File(System.getProperty("java.home"), "bin/java").getAbsolutePath();
    String classpath = confDir.getAbsolutePath() + File.pathSeparator + System.getProperty("java.class.path");
    System.out.println("{\"ready\":true,\"rm\":" + json(webapps) + ",\"java\":" + json(java)
        + ",\"amClasspath\":" + json(classpath) + "}");
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int active = 0;
    for (String line; (line = in.readLine()) != null;) {
      line = line.trim();
      if (line.equals("stop")) {
        break;
      } else if (line.equals("failover") && ha) {
        HAServiceProtocol.StateChangeRequestInfo req = new HAServiceProtocol.StateChangeRequestInfo(
            HAServiceProtocol.RequestSource.REQUEST_BY_USER_FORCED);
        // An event the stopping active services no longer handle (a node heartbeat's RMNodeEvent in
        // flight) makes the RM's AsyncDispatcher call System.exit(-1) (its exitOnDispatchException
        // is on by default): in a real pair that ends one RM process, here it ended the JVM of both
        // (seen in CI: "No handler for registered for class ...RMNodeEventType", exit 255). Off for
        // the dispatcher being stopped; the new active RM makes a dispatcher of its own.
        Dispatcher stopping = cluster.getResourceManager(active).getRMContext().getDispatcher();
        if (stopping instanceof AsyncDispatcher) ((AsyncDispatcher) stopping).disableExitOnDispatchException();
        cluster.getResourceManager(active).getRMContext().getRMAdminService().transitionToStandby(req);
        active = 1 - active;
        cluster.getResourceManager(active).getRMContext().getRMAdminService().transitionToActive(req);
        System.out.println("{\"active\":" + json(webapps.get(active)) + "}");
      } else {
        System.out.println("{\"error\":" + json("unknown command: " + line) + "}");
      }
      System.out.flush();
    }
    cluster.stop();
    System.exit(0);
  }

  private static String webapp(ResourceManager rm) {
    // Without HA, MiniYARNCluster binds "localhost" (getHostname()); the tests name 127.0.0.1 itself.
    String address = rm.getConfig().get(YarnConfiguration.RM_WEBAPP_ADDRESS);
    return "http://127.0.0.1:" + address.substring(address.lastIndexOf(':') + 1);
  }

  /**
   * A free port below the kernel's ephemeral range (32768 and up on Linux): the standby RM binds
   * its ports only when it becomes active, at a failover minutes later, and a port picked from the
   * ephemeral range can meanwhile be taken by any outgoing connection on the machine (the RM then
   * fails its transition and exits).
   */
  private static int freePort() throws java.io.IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20000 + random.nextInt(12000);
      try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (java.io.IOException inUse) {
        // taken: try another
      }
    }
    throw new java.io.IOException("no free port from 20000 to 31999 on 127.0.0.1");
  }

  /** What an AM container needs to find the scheduler: its address (per RM id in HA mode). */
  private static void writeAmConf(MiniYARNCluster cluster, Configuration conf, boolean ha, File file)
      throws Exception {
    Configuration out = new Configuration(false);
    if (ha) {
      out.setBoolean(YarnConfiguration.RM_HA_ENABLED, true);
      out.set(YarnConfiguration.RM_HA_IDS, "rm0,rm1");
      for (String id : new String[] {"rm0", "rm1"}) {
        String key = YarnConfiguration.RM_SCHEDULER_ADDRESS + "." + id;
        out.set(key, conf.get(key));
      }
    } else {
      out.set(YarnConfiguration.RM_SCHEDULER_ADDRESS,
          cluster.getResourceManager(0).getConfig().get(YarnConfiguration.RM_SCHEDULER_ADDRESS));
    }
    // An AM whose RM is gone gives up within seconds instead of retrying for 15 minutes.
    out.setLong("yarn.resourcemanager.connect.max-wait.ms", 10_000);
    out.setLong("yarn.resourcemanager.connect.retry-interval.ms", 1_000);
    File tmp = new File(file.getPath() + ".tmp");
    try (OutputStream os = new FileOutputStream(tmp)) {
      out.writeXml(os);
    }
    Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void am(int seconds, FinalApplicationStatus status) throws Exception {
    AMRMClient<AMRMClient.ContainerRequest> client = AMRMClient.createAMRMClient();
    client.init(new YarnConfiguration());
    client.start();
    client.registerApplicationMaster("", 0, "");
    long end = System.currentTimeMillis() + seconds * 1000L;
    while (System.currentTimeMillis() < end) {
      client.allocate(0f); // the heartbeat that keeps the attempt alive (AMLivelinessMonitor)
      Thread.sleep(Math.max(0, Math.min(1000, end - System.currentTimeMillis())));
    }
    client.unregisterApplicationMaster(status, "the test AM ran its " + seconds + " s", "");
    client.stop();
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String json(List<String> list) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      b.append(i == 0 ? "" : ",").append(json(list.get(i)));
    }
    return b.append(']').toString();
  }
}
