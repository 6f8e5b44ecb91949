package io.spillway.devstack;

import io.spillway.schemas.env.SpillwayEnv;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests one shared {@link DevStack} per test JVM, started on first use and
 * closed when the JUnit root context closes. Inject it as a constructor, lifecycle-method or test
 * parameter of type {@link DevStack}.
 *
 * <pre>{@code
 * @ExtendWith(DevStackExtension.class)
 * class SubmitIT {
 *   SubmitIT(DevStack stack) { ... }
 * }
 * }</pre>
 */
public final class DevStackExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(DevStackExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DevStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** The stack of this test JVM, started on first call. */
  public static DevStack shared(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(
            DevStack.class,
            key -> DevStack.start(DevStackConfig.forTests(SpillwayEnv.system())),
            DevStack.class);
  }
}
