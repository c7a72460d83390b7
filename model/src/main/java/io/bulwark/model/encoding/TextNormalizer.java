package io.bulwark.model.encoding;

import java.text.Normalizer;
import java.util.Locale;

/** Normalises text before tokenisation: Unicode NFKC, lower case (root locale), whitespace collapsed and trimmed. */
public final class TextNormalizer {

    private TextNormalizer() {}

    /** Returns the normalised form of {@code text}. */
    public static String normalize(String text) {
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(nfkc.length());
        boolean space = false;
        for (int i = 0; i < nfkc.length(); i++) {
            char c = nfkc.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
