package io.spillway.system;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords,
 * label names (inside braces or grouping clauses) or durations.
 */
final class PromQlMetricNames {

  private static final Set<String> KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
          "bool", "offset", "inf", "nan", "atan2");
  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern BRACES = Pattern.compile("\\{[^}]*}");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PromQlMetricNames() {}

  static Set<String> of(String expr) {
    String text = STRINGS.matcher(expr).replaceAll(" ");
    text = BRACES.matcher(text).replaceAll(" ");
    text = GROUPING.matcher(text).replaceAll(" ");
    text = RANGES.matcher(text).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(text);
    while (m.find()) {
      String word = m.group();
      int after = m.end();
      while (after < text.length() && Character.isWhitespace(text.charAt(after))) {
        after++;
      }
      boolean isFunction = after < text.length() && text.charAt(after) == '(';
      boolean isNumberPart = m.start() > 0 && Character.isDigit(text.charAt(m.start() - 1));
      if (!isFunction && !isNumberPart && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }
}
