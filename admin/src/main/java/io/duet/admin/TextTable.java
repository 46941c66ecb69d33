package io.duet.admin;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows printed in aligned columns, two spaces apart: text left-aligned, numbers right-aligned (a column
 * is numeric when its cells are numbers, or "-" or "?" for none or unknown).
 */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    TextTable row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + columns + ")");
        }
        String[] text = new String[columns];
        for (int i = 0; i < columns; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    @Override
    public String toString() {
        int[] widths = new int[columns];
        boolean[] numeric = new boolean[columns];
        for (int column = 0; column < columns; column++) {
            boolean numbers = true;
            boolean anyNumber = false;
            for (int i = 0; i < rows.size(); i++) {
                String cell = rows.get(i)[column];
                widths[column] = Math.max(widths[column], cell.length());
                if (i > 0) {
                    anyNumber |= cell.matches("-?\\d+");
                    numbers &= cell.matches("-?\\d+|-|\\?");
                }
            }
            numeric[column] = numbers && anyNumber;
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < columns; column++) {
                String cell = row[column];
                String padding = " ".repeat(widths[column] - cell.length());
                if (column > 0) {
                    line.append("  ");
                }
                line.append(numeric[column] ? padding + cell : cell + padding);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
