package io.asyncgate.step;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * {@code class = "com.example.MyStep"}, with optional {@code settings}: a {@link Step} class with a
 * public constructor taking its settings as a {@link Config}, or a public no-argument constructor.
 */
public final class JavaStepKind implements StepKind {
  private static final String SETTINGS = "settings";

  @Override
  public String key() {
    return "class";
  }

  @Override
  public Map<String, String> ownKeys() {
    return Map.of(SETTINGS, "settings are for a step class; other steps are configured in their own block");
  }

  @Override
  public Step read(Config step, Declaration declaration) {
    String className = step.getString(key());
    Config settings = step.hasPath(SETTINGS) ? step.getConfig(SETTINGS) : null;
    try {
      Class<?> cls = Class.forName(className);
      if (!Step.class.isAssignableFrom(cls)) {
        throw new IllegalArgumentException("class " + className + " does not implement " + Step.class.getName());
      }
      try {
        Constructor<?> withSettings = cls.getConstructor(Config.class);
        return (Step) withSettings.newInstance(settings != null ? settings : ConfigFactory.empty());
      } catch (NoSuchMethodException e) {
        if (settings != null) {
          throw new IllegalArgumentException("class " + className + " has settings but no public constructor taking a Config");
        }
        return (Step) cls.getConstructor().newInstance();
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("class " + className + " is not on the classpath; check the name (nested classes use $)", e);
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalArgumentException("class " + className + " needs a public no-argument or Config constructor", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("constructing " + className + " failed: " + e.getCause(), e.getCause());
    }
  }
}
