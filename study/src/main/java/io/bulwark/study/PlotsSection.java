package io.bulwark.study;

import java.util.List;

/** The plots, one image link each, titled by their file names. */
final class PlotsSection implements ReportSection {

    private final List<String> images;
    private final String imageDir;

    /** Links {@code images} (file names) as {@code imageDir/<name>}. */
    PlotsSection(List<String> images, String imageDir) {
        this.images = List.copyOf(images);
        this.imageDir = imageDir;
    }

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Plots\n\n");
        if (images.isEmpty()) {
            md.append("No plots were drawn.\n\n");
        }
        for (String img : images) {
            String title = img.replace('_', ' ').replace(".png", "");
            md.append("![").append(title).append("](").append(imageDir).append('/').append(img).append(")\n\n");
        }
    }
}
