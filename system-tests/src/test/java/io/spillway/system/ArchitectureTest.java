package io.spillway.system;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module boundaries of ARCHITECTURE.md and STYLE.md, checked on the compiled classes. */
class ArchitectureTest {

  private static final JavaClasses SPILLWAY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.spillway");

  @Test
  void schemasDependOnJacksonAndTheKafkaSerdeApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.spillway.schemas..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "io.spillway.schemas..", "java..", "javax..", "com.fasterxml.jackson..",
            "org.apache.kafka.common..")
        .check(SPILLWAY);
  }

  @Test
  void servicesNeverImportEachOther() {
    noClasses().that().resideInAPackage("io.spillway.workers..")
        .should().dependOnClassesThat().resideInAnyPackage("io.spillway.ingest..", "io.spillway.streams..", "io.spillway.cli..")
        .check(SPILLWAY);
    noClasses().that().resideInAPackage("io.spillway.ingest..")
        .should().dependOnClassesThat().resideInAnyPackage("io.spillway.workers..", "io.spillway.streams..", "io.spillway.cli..")
        .check(SPILLWAY);
    noClasses().that().resideInAPackage("io.spillway.streams..")
        .should().dependOnClassesThat().resideInAnyPackage("io.spillway.workers..", "io.spillway.ingest..", "io.spillway.cli..")
        .check(SPILLWAY);
    noClasses().that().resideInAPackage("io.spillway.cli..")
        .should().dependOnClassesThat().resideInAnyPackage("io.spillway.workers..", "io.spillway.ingest..", "io.spillway.streams..")
        .allowEmptyShould(true)
        .check(SPILLWAY);
  }

  @Test
  void onlyDevstackAndTestsStartInfrastructure() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.spillway.devstack..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.spillway.devstack..", "io.zonky..", "redis.embedded..", "kafka..")
        .check(SPILLWAY);
  }
}
