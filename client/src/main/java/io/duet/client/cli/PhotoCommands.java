package io.duet.client.cli;

import io.duet.client.DuetHttp;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoUrlEntry;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The CLI's photo commands, over the HTTP API (the bytes go to and from the object store directly). */
final class PhotoCommands {
    static final String USAGE = String.join("\n",
            "  photo-upload FILE [CAPTION...]  upload a JPEG, PNG or WebP photo; posts it to the chat",
            "  photos [N]            list the newest N (20) photos (id, size, when, who, caption)",
            "  photo-download ID FILE [full|screen|thumbnail]  save a photo (default: full)",
            "  photo-urls full|screen|thumbnail ID...  print download URLs (valid for minutes), in one call",
            "  photo-delete ID       delete a photo (its message stays)");
    private static final Set<String> COMMANDS = Set.of("photo-upload", "photos", "photo-download", "photo-urls",
            "photo-delete");

    private final PrintStream out;
    private final DuetHttp api;

    PhotoCommands(PrintStream out, DuetHttp api) {
        this.out = out;
        this.api = api;
    }

    static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    int run(List<String> words, String token) throws Exception {
        switch (words.get(0)) {
            case "photo-upload": {
                SpaceCommands.need(words, 2, "photo-upload FILE [CAPTION...]");
                Photo photo = api.uploadPhoto(token, Path.of(words.get(1)), String.join(" ", words.subList(2, words.size())));
                out.println("Uploaded photo " + photo.getPhotoId() + " (" + photo.getWidth() + " x " + photo.getHeight()
                        + "), posted as message " + photo.getMessageSeq() + ".");
                return 0;
            }
            case "photos": {
                PhotoList list = api.listPhotos(token, words.size() > 1 ? Integer.parseInt(words.get(1)) : 20, null);
                for (Photo photo : list.getPhotos()) {
                    out.println(photo.getPhotoId() + "  " + photo.getWidth() + "x" + photo.getHeight() + "  "
                            + Instant.ofEpochMilli(photo.isSetTakenAtMillis() ? photo.getTakenAtMillis()
                                    : photo.getUploadedAtMillis())
                            + "  by " + photo.getUploadedBy() + (photo.isSetCaption() ? "  " + photo.getCaption() : ""));
                }
                if (list.getPhotos().isEmpty()) {
                    out.println("No photos yet.");
                }
                return 0;
            }
            case "photo-download": {
                SpaceCommands.need(words, 3, "photo-download ID FILE [full|screen|thumbnail]");
                PhotoVariant variant = words.size() > 3 ? variant(words.get(3)) : PhotoVariant.FULL;
                Path saved = api.downloadPhoto(token, words.get(1), variant, Path.of(words.get(2)));
                out.println("Saved " + variant.name().toLowerCase(Locale.ROOT) + " to " + saved + ".");
                return 0;
            }
            case "photo-urls": {
                SpaceCommands.need(words, 3, "photo-urls full|screen|thumbnail ID...");
                PhotoUrls urls = api.photoUrls(token, words.subList(2, words.size()), variant(words.get(1)));
                for (PhotoUrlEntry entry : urls.getEntries()) {
                    out.println(entry.getPhotoId() + "  " + (entry.isSetUrl() ? entry.getUrl().getUrl() : "not found"));
                }
                return 0;
            }
            case "photo-delete":
                SpaceCommands.need(words, 2, "photo-delete ID");
                api.deletePhoto(token, words.get(1));
                out.println("Deleted photo " + words.get(1) + ".");
                return 0;
            default:
                throw new IllegalArgumentException("unknown command '" + words.get(0) + "'");
        }
    }

    private static PhotoVariant variant(String name) {
        switch (name) {
            case "full":
                return PhotoVariant.FULL;
            case "screen":
                return PhotoVariant.SCREEN;
            case "thumbnail":
                return PhotoVariant.THUMBNAIL;
            default:
                throw new IllegalArgumentException("the size is full, screen or thumbnail, not '"
                        + name + "'");
        }
    }
}
