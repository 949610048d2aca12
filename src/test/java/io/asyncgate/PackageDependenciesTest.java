package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the main code, read by {@code jdeps} from the compiled classes: dependencies
 * run one way, so a change that makes two packages need each other fails the build here.
 */
class PackageDependenciesTest {
  private static final String BASE = "io.asyncgate";
  private static final Path CLASSES = Path.of("target/classes");
  /** package → the packages of ours it uses, itself excluded. */
  private static final Map<String, Set<String>> USES = new TreeMap<>();

  @BeforeAll
  static void readGraph() {
    assertTrue(Files.isDirectory(CLASSES.resolve("io/asyncgate")), "run after compilation: no " + CLASSES);
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
    StringWriter out = new StringWriter();
    int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", CLASSES.toString());
    assertEquals(0, exit, "jdeps failed:\n" + out);
    for (String line : out.toString().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      // "io.asyncgate.http -> io.asyncgate.json classes"
      if (parts.length >= 3 && parts[1].equals("->") && ours(parts[0]) && ours(parts[2])) {
        Set<String> uses = USES.computeIfAbsent(parts[0], p -> new TreeSet<>());
        if (!parts[0].equals(parts[2])) {
          uses.add(parts[2]);
        }
      }
    }
    assertTrue(USES.size() > 5, "jdeps output not understood:\n" + out);
  }

  @Test
  void noTwoPackagesDependOnEachOtherThroughAnyPath() {
    List<Set<String>> cycles = stronglyConnected().stream().filter(c -> c.size() > 1).toList();
    assertTrue(cycles.isEmpty(), "package cycles " + cycles + " in " + USES);
  }

  @Test
  void theCompositionRootIsUsedByNoOtherPackage() {
    USES.forEach((pkg, uses) -> assertFalse(uses.contains(BASE), pkg + " uses the composition root " + BASE));
  }

  @Test
  void templatesDependOnNothingElseOfOurs() {
    assertEquals(Set.of(), USES.getOrDefault(BASE + ".template", Set.of()));
  }

  private static boolean ours(String pkg) {
    return pkg.equals(BASE) || pkg.startsWith(BASE + ".");
  }

  /** Tarjan's strongly connected components of the package graph. */
  private static List<Set<String>> stronglyConnected() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    for (String pkg : USES.keySet()) {
      if (!index.containsKey(pkg)) {
        visit(pkg, index, low, stack, onStack, components);
      }
    }
    return components;
  }

  private static void visit(String pkg, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> components) {
    index.put(pkg, index.size());
    low.put(pkg, index.get(pkg));
    stack.push(pkg);
    onStack.add(pkg);
    for (String next : USES.getOrDefault(pkg, Set.of())) {
      if (!index.containsKey(next)) {
        visit(next, index, low, stack, onStack, components);
        low.put(pkg, Math.min(low.get(pkg), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(pkg, Math.min(low.get(pkg), index.get(next)));
      }
    }
    if (low.get(pkg).equals(index.get(pkg))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(pkg));
      components.add(component);
    }
  }
}
