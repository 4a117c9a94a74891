package io.confluent.connect.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for Confluent's Elasticsearch sink on the local test stack, where that plugin cannot be had (it is
 * distributed through Confluent Hub, not Maven Central). It registers under the real class name, so connector files
 * written for the learners' Connect image run here unchanged, and it writes documents into the real Elasticsearch
 * of the local stack the way the real sink does for the settings the workshop uses. Each rule below names where the
 * real sink's behaviour is documented:
 *
 * <ul>
 *   <li>[CONFIG] Configuration reference, https://docs.confluent.io/kafka-connectors/elasticsearch/current/configuration_options.html
 *   <li>[OVERVIEW] Connector overview ("Features": document ids, null values, malformed documents),
 *       https://docs.confluent.io/kafka-connectors/elasticsearch/current/overview.html
 *   <li>[SOURCE] The connector's source, github.com/confluentinc/kafka-connect-elasticsearch, tag v15.1.3 (the same
 *       in v14.1.8; v16 keeps every setting's name, default and meaning, its PR 940): ElasticsearchSinkTask (index
 *       names, index creation, the mapping check), DataConverter (document ids and bodies, external versions),
 *       ElasticsearchClient (the bulk item errors it treats as malformed documents, and its messages).
 *   <li>[KAFKA] Kafka Connect itself: a task whose put() throws is FAILED, its trace starting "Exiting
 *       WorkerSinkTask due to unrecoverable exception." with the sink's exception as the cause.
 * </ul>
 *
 * <p>What it does not do (the workshop never sets it): mappings from Connect schemas (schema.ignore=false with a value
 * schema), data streams, upserts, TLS. A connector that asks for them fails its task with a message that says so.
 */
public class ElasticsearchSinkConnector extends SinkConnector {
  static final String VERSION = "local-stand-in";

  // [CONFIG]: names, types and defaults as the configuration reference gives them.
  static final ConfigDef CONFIG =
      new ConfigDef()
          .define("connection.url", Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
              "List of Elasticsearch HTTP connection URLs")
          .define("connection.username", Type.STRING, null, Importance.MEDIUM, "User name")
          .define("connection.password", Type.PASSWORD, null, Importance.MEDIUM, "Password")
          .define("key.ignore", Type.BOOLEAN, false, Importance.HIGH,
              "Whether to ignore the record key when forming the document id")
          .define("topic.key.ignore", Type.LIST, "", Importance.LOW, "Topics whose keys are ignored")
          .define("schema.ignore", Type.BOOLEAN, false, Importance.LOW,
              "Whether to ignore schemas when indexing")
          .define("topic.schema.ignore", Type.LIST, "", Importance.LOW, "Topics whose schemas are ignored")
          .define("behavior.on.null.values", Type.STRING, "FAIL",
              ConfigDef.CaseInsensitiveValidString.in("IGNORE", "DELETE", "FAIL"), Importance.LOW,
              "How to handle records with a null value")
          .define("behavior.on.malformed.documents", Type.STRING, "FAIL",
              ConfigDef.CaseInsensitiveValidString.in("IGNORE", "WARN", "FAIL"), Importance.LOW,
              "How to handle records that Elasticsearch rejects as malformed")
          .define("write.method", Type.STRING, "INSERT",
              ConfigDef.CaseInsensitiveValidString.in("INSERT", "UPSERT"), Importance.LOW, "Insert or upsert")
          .define("data.stream.type", Type.STRING, "NONE", Importance.LOW, "Data stream type")
          .define("batch.size", Type.INT, 2000, ConfigDef.Range.between(1, 1_000_000), Importance.MEDIUM,
              "Records per bulk request")
          .define("max.retries", Type.INT, 5, Importance.LOW, "Retries of a failed bulk request")
          .define("retry.backoff.ms", Type.LONG, 100L, Importance.LOW, "First backoff between retries")
          .define("connection.timeout.ms", Type.INT, 1000, Importance.LOW, "Connect timeout")
          .define("read.timeout.ms", Type.INT, 3000, Importance.LOW, "Read timeout");

  private Map<String, String> props;

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return ElasticsearchSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) configs.add(props);
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return CONFIG;
  }

  /** [SOURCE] Validator.validateIgnoreConfigs: a per-topic list next to the setting that already covers every topic. */
  @Override
  public org.apache.kafka.common.config.Config validate(Map<String, String> connectorConfigs) {
    org.apache.kafka.common.config.Config result = super.validate(connectorConfigs);
    for (String setting : List.of("key", "schema")) {
      String all = connectorConfigs.getOrDefault(setting + ".ignore", "false");
      String perTopic = connectorConfigs.getOrDefault("topic." + setting + ".ignore", "");
      if (Boolean.parseBoolean(all.trim()) && !perTopic.isBlank()) {
        for (org.apache.kafka.common.config.ConfigValue value : result.configValues()) {
          if (value.name().equals("topic." + setting + ".ignore")) {
            value.addErrorMessage(
                "'topic." + setting + ".ignore' can not be set if '" + setting + ".ignore' is true.");
          }
        }
      }
    }
    return result;
  }

  /** The task: one bulk request per batch, written before put() returns, so committed offsets are written ones. */
  public static class ElasticsearchSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    /**
     * [SOURCE] ElasticsearchClient: bulk item errors that mean "this document can never be indexed", handled by
     * behavior.on.malformed.documents instead of retried.
     */
    static final Set<String> MALFORMED_DOCUMENT_ERRORS =
        Set.of(
            "strict_dynamic_mapping_exception",
            "mapper_parsing_exception",
            "document_parsing_exception",
            "illegal_argument_exception",
            "action_request_validation_exception");

    private final ObjectMapper json = new ObjectMapper();
    private final JsonConverter documentConverter = new JsonConverter();
    private final Set<String> knownIndexes = new HashSet<>();
    private final Set<String> mappedIndexes = new HashSet<>();
    private HttpClient http;
    private String baseUrl;
    private String authorization;
    private boolean keyIgnore;
    private Set<String> topicKeyIgnore;
    private boolean schemaIgnore;
    private Set<String> topicSchemaIgnore;
    private String onNull;
    private String onMalformed;
    private int batchSize;
    private int maxRetries;
    private long backoffMs;
    private Duration readTimeout;
    private ErrantRecordReporter reporter;

    @Override
    public String version() {
      return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
      AbstractConfig config = new AbstractConfig(CONFIG, props);
      if (!"NONE".equalsIgnoreCase(config.getString("data.stream.type"))) {
        throw new ConnectException("stand-in: data streams are not implemented on the local test stack");
      }
      if ("UPSERT".equalsIgnoreCase(config.getString("write.method"))) {
        throw new ConnectException("stand-in: write.method=upsert is not implemented on the local test stack");
      }
      List<String> urls = config.getList("connection.url");
      baseUrl = urls.get(0).replaceAll("/+$", "");
      // [CONFIG] connection.url: a URL with no protocol is treated as http.
      if (!baseUrl.contains("://")) baseUrl = "http://" + baseUrl;
      if (baseUrl.startsWith("https:")) {
        throw new ConnectException("stand-in: https is not implemented on the local test stack");
      }
      String user = config.getString("connection.username");
      Password password = config.getPassword("connection.password");
      // [CONFIG] authentication is used only when both the username and the password are set.
      if (user != null && password != null) {
        String pair = user + ":" + password.value();
        authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      }
      keyIgnore = config.getBoolean("key.ignore");
      topicKeyIgnore = new HashSet<>(config.getList("topic.key.ignore"));
      schemaIgnore = config.getBoolean("schema.ignore");
      topicSchemaIgnore = new HashSet<>(config.getList("topic.schema.ignore"));
      onNull = config.getString("behavior.on.null.values").toUpperCase(Locale.ROOT);
      onMalformed = config.getString("behavior.on.malformed.documents").toUpperCase(Locale.ROOT);
      batchSize = config.getInt("batch.size");
      maxRetries = config.getInt("max.retries");
      backoffMs = config.getLong("retry.backoff.ms");
      readTimeout = Duration.ofMillis(config.getInt("read.timeout.ms"));
      http =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofMillis(config.getInt("connection.timeout.ms")))
              .build();
      // [SOURCE] DataConverter: with the schema ignored, the value is written as the JsonConverter writes it without
      // schemas (a Map or a Struct alike).
      documentConverter.configure(Map.of("schemas.enable", "false"), false);
      try {
        reporter = context.errantRecordReporter();
      } catch (NoSuchMethodError | NoClassDefFoundError e) {
        reporter = null;
      }
    }

    /**
     * [SOURCE] ElasticsearchSinkTask.convertTopicToIndexName: the topic lower-cased, at most 255 characters, without a
     * leading '-' or '_', and "." or ".." spelled "dot" ([OVERVIEW]: the index is named after the topic).
     */
    static String indexName(String topic) {
      String index = topic.toLowerCase(Locale.ROOT);
      if (index.length() > 255) index = index.substring(0, 255);
      if (index.startsWith("-") || index.startsWith("_")) index = index.substring(1);
      if (index.equals(".") || index.equals("..")) index = index.replace(".", "dot");
      return index;
    }

    private boolean ignoresKey(String topic) {
      return keyIgnore || topicKeyIgnore.contains(topic);
    }

    private boolean ignoresSchema(String topic) {
      return schemaIgnore || topicSchemaIgnore.contains(topic);
    }

    /**
     * [OVERVIEW] "topic+partition+offset" as the id when the key is ignored; otherwise the key, which must be an
     * integer or a string ([SOURCE] DataConverter.convertKey, with its messages).
     */
    private String documentId(SinkRecord record) {
      if (ignoresKey(record.topic())) {
        return record.topic() + "+" + record.kafkaPartition() + "+" + record.kafkaOffset();
      }
      Object key = record.key();
      if (key == null) throw new DataException("Key is used as document id and can not be null.");
      if (String.valueOf(key).isEmpty()) throw new DataException("Key is used as document id and can not be empty.");
      Schema.Type type;
      if (record.keySchema() == null) {
        type = ConnectSchema.schemaType(key.getClass());
        if (type == null) {
          throw new DataException(
              "Java class " + key.getClass() + " does not have corresponding schema type.");
        }
      } else {
        type = record.keySchema().type();
      }
      switch (type) {
        case INT8:
        case INT16:
        case INT32:
        case INT64:
        case STRING:
          return String.valueOf(key);
        default:
          throw new DataException(type.name() + " is not supported as the document id.");
      }
    }

    /**
     * [SOURCE] ElasticsearchSinkTask.checkMapping: without schema.ignore, an index whose mapping is still empty gets
     * one built from the value's schema; a value without a schema cannot give one ("Cannot infer mapping without
     * schema."). An index that already has a mapping takes the document as it is.
     */
    private String document(SinkRecord record, String index) {
      if (!ignoresSchema(record.topic()) && !mappedIndexes.contains(index)) {
        HttpResponse<String> mapping = call("GET", "/" + index + "/_mapping", null, null);
        boolean empty;
        try {
          empty = json.readTree(mapping.body()).path(index).path("mappings").path("properties").isMissingNode();
        } catch (IOException e) {
          throw new ConnectException("Could not read the mapping of index '" + index + "'", e);
        }
        if (empty && record.valueSchema() == null) {
          throw new DataException("Cannot infer mapping without schema.");
        }
        if (empty) {
          throw new ConnectException(
              "stand-in: mappings from Connect schemas (schema.ignore=false) are not implemented on the local"
                  + " test stack");
        }
        mappedIndexes.add(index);
      }
      return new String(
          documentConverter.fromConnectData(record.topic(), record.valueSchema(), record.value()),
          StandardCharsets.UTF_8);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
      List<SinkRecord> batch = new ArrayList<>();
      StringBuilder body = new StringBuilder();
      for (SinkRecord record : records) {
        String index = indexName(record.topic());
        if (record.value() == null) {
          // [OVERVIEW]/[CONFIG] behavior.on.null.values: ignore skips, delete removes the document of the key, fail
          // (the default) stops the task.
          // [SOURCE] with delete, a record without a key is skipped: there is no document to delete.
          if ("IGNORE".equals(onNull)) continue;
          if ("FAIL".equals(onNull)) {
            throw new DataException(
                "record from topic=" + record.topic() + " partition=" + record.kafkaPartition() + " offset="
                    + record.kafkaOffset() + " has a null value (to ignore future records like this change the"
                    + " configuration property 'behavior.on.null.values' from 'FAIL' to 'IGNORE')");
          }
          if (record.key() == null && !ignoresKey(record.topic())) continue;
          ensureIndex(index);
          body.append(actionLine("delete", index, documentId(record), record)).append('\n');
        } else {
          // [SOURCE] the index is made before the record is converted, so a record that cannot be converted still
          // leaves its index behind.
          ensureIndex(index);
          String id = documentId(record);
          String source = document(record, index);
          body.append(actionLine("index", index, id, record)).append('\n').append(source).append('\n');
        }
        batch.add(record);
        if (batch.size() >= batchSize) {
          send(batch, body.toString());
          batch.clear();
          body.setLength(0);
        }
      }
      if (!batch.isEmpty()) send(batch, body.toString());
    }

    /**
     * [SOURCE] DataConverter: with the key as the id, writes carry the record's offset as an external version, so
     * an older record replayed after a newer one cannot overwrite it (the conflict is ignored).
     */
    private String actionLine(String op, String index, String id, SinkRecord record) {
      StringBuilder line = new StringBuilder("{\"").append(op).append("\":{\"_index\":");
      line.append(quote(index)).append(",\"_id\":").append(quote(id));
      if (!ignoresKey(record.topic())) {
        line.append(",\"version\":").append(record.kafkaOffset()).append(",\"version_type\":\"external\"");
      }
      return line.append("}}").toString();
    }

    private String quote(String text) {
      try {
        return json.writeValueAsString(text);
      } catch (IOException e) {
        throw new ConnectException(e);
      }
    }

    /** [SOURCE] ElasticsearchSinkTask: an index that does not exist is created before the first write to it. */
    private void ensureIndex(String index) {
      if (knownIndexes.contains(index)) return;
      HttpResponse<String> head = call("HEAD", "/" + index, null, null);
      if (head.statusCode() == 404) {
        HttpResponse<String> created = call("PUT", "/" + index, "{}", "application/json");
        if (created.statusCode() >= 300 && !created.body().contains("resource_already_exists_exception")) {
          throw new ConnectException("Could not create index '" + index + "': " + created.body());
        }
        log.info("Creating index {}.", index);
      }
      knownIndexes.add(index);
    }

    private void send(List<SinkRecord> batch, String body) {
      HttpResponse<String> response = call("POST", "/_bulk", body, "application/x-ndjson");
      if (response.statusCode() >= 300) {
        throw new ConnectException("Bulk request failed: HTTP " + response.statusCode() + " " + response.body());
      }
      JsonNode answer;
      try {
        answer = json.readTree(response.body());
      } catch (IOException e) {
        throw new ConnectException("Bulk request answered with something that is not JSON", e);
      }
      if (!answer.path("errors").asBoolean(false)) return;
      JsonNode items = answer.path("items");
      for (int i = 0; i < items.size() && i < batch.size(); i++) {
        JsonNode result = items.get(i).elements().next();
        JsonNode error = result.get("error");
        if (error == null) continue;
        SinkRecord record = batch.get(i);
        String type = error.path("type").asText();
        String reason = error.path("reason").asText();
        if ("version_conflict_engine_exception".equals(type)) {
          log.debug("Ignoring version conflict for {}: {}", where(record), reason);
          continue;
        }
        if (!MALFORMED_DOCUMENT_ERRORS.contains(type)) {
          if (reporter != null) reporter.report(record, new DataException("Indexing failed: [" + type + "] " + reason));
          log.error("Indexing {} failed: [{}] {}", where(record), type, reason);
          throw new ConnectException("Indexing record failed. Please check DLQ topic for errors.");
        }
        // [SOURCE] ElasticsearchClient.handleMalformedDocResponse: the record goes to the errant record reporter
        // (the dead letter queue, when there is one); ignore and warn carry on without it, fail stops the task.
        if (reporter != null) reporter.report(record, new DataException("Indexing failed: [" + type + "] " + reason));
        if ("FAIL".equals(onMalformed)) {
          log.error("Encountered an illegal document error. Please check DLQ topic for errors. To ignore future"
              + " records like this, change the configuration 'behavior.on.malformed.documents' to 'IGNORE'."
              + " ({}: [{}] {})", where(record), type, reason);
          throw new ConnectException("Indexing record failed. Please check DLQ topic for errors.");
        }
        String ignoring = "Encountered an illegal document error. Ignoring and will not index record. Please check"
            + " DLQ topic for errors. ({}: [{}] {})";
        if ("WARN".equals(onMalformed)) log.warn(ignoring, where(record), type, reason);
        else log.debug(ignoring, where(record), type, reason);
      }
    }

    private static String where(SinkRecord record) {
      return "topic/partition/offset " + record.topic() + "/" + record.kafkaPartition() + "/" + record.kafkaOffset();
    }

    /** One HTTP call, retried with a doubling backoff on a network error, 429 or 5xx ([CONFIG] max.retries). */
    private HttpResponse<String> call(String method, String path, String body, String contentType) {
      long backoff = backoffMs;
      for (int attempt = 0; ; attempt++) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(readTimeout.plusMillis(body == null ? 0 : body.length() / 100))
                .method(method, body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) request.header("Content-Type", contentType);
        if (authorization != null) request.header("Authorization", authorization);
        String problem;
        try {
          HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          int status = response.statusCode();
          if (status != 429 && status < 500) return response;
          problem = "HTTP " + status;
        } catch (IOException e) {
          problem = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConnectException("Interrupted while writing to Elasticsearch", e);
        }
        if (attempt >= maxRetries) {
          throw new ConnectException(
              "Bulk request failed",
              new ConnectException("Failed to execute " + method + " " + path + " request due to '" + problem
                  + "' after " + (attempt + 1) + " attempt(s)"));
        }
        log.warn("{} {} failed ({}); retrying in {} ms", method, path, problem, backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConnectException("Interrupted while writing to Elasticsearch", e);
        }
        backoff = Math.min(backoff * 2, 10_000);
      }
    }

    @Override
    public void stop() {}
  }
}
