package io.spillway.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.time.Instant;

/** The records' own bean serialisation, which each hand-written serializer must match. */
final class BeanJson {

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new SimpleModule().addSerializer(Instant.class, new IsoInstants.Serializer()))
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private BeanJson() {}
}
