package io.confluent.connect.elasticsearch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * A stand-in for Confluent's Elasticsearch sink on the local test stack, where that plugin cannot be had (it is
 * distributed through Confluent Hub, not Maven Central). It registers under the real class name so that Kafka
 * Connect's plugin list matches the learners' Connect image; it writes nothing, and a task started from it fails
 * at once with a message that says so.
 */
public class ElasticsearchSinkConnector extends SinkConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return "local-stand-in";
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return StandInTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    configs.add(props);
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return new ConfigDef();
  }

  public static class StandInTask extends SinkTask {
    @Override
    public String version() {
      return "local-stand-in";
    }

    @Override
    public void start(Map<String, String> props) {
      throw new ConnectException(
          "stand-in: Confluent's Elasticsearch sink cannot run on the local test stack; use the compose stack");
    }

    @Override
    public void put(Collection<SinkRecord> records) {}

    @Override
    public void stop() {}
  }
}
