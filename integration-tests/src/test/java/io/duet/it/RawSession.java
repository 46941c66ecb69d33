package io.duet.it;

import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/** A client TCP connection speaking raw bytes, to send what no well-behaved client would. */
public final class RawSession implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long framedBytesRead;

    public RawSession(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public static byte[] frame(int type, int flags, byte[] body) {
        return ByteBuffer.allocate(6 + body.length).putInt(2 + body.length).put((byte) type).put((byte) flags)
                .put(body).array();
    }

    public static byte[] auth(String token) {
        return frame(FrameType.AUTH.code(), 0, ThriftCodec.INTERNAL.encode(
                new AuthRequest(token, commonConstants.API_VERSION)));
    }

    /** Reads one frame: {type, body}. */
    public Object[] readFrame() throws IOException {
        int length = in.readInt();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] body = new byte[length - 2];
        in.readFully(body);
        return new Object[] {type, body};
    }

    /** Reads one frame and decodes it as a client does: a compressed body is uncompressed. */
    public Frame readDecodedFrame() throws IOException {
        int length = in.readInt();
        byte[] rest = new byte[length];
        in.readFully(rest);
        framedBytesRead += 4 + length;
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
        try {
            decoder.writeInbound(Unpooled.buffer(4 + length).writeInt(length).writeBytes(rest));
            return decoder.readInbound();
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /** The bytes of the frames {@link #readDecodedFrame()} has read, as they were on the wire. */
    public long framedBytesRead() {
        return framedBytesRead;
    }

    /** Reads the ERROR frame the server sends before closing. */
    public SessionError readError() throws Exception {
        Object[] frame = readFrame();
        if ((int) frame[0] != FrameType.ERROR.code()) {
            throw new AssertionError("expected an ERROR frame, got type " + frame[0]);
        }
        return ThriftCodec.INTERNAL.decode((byte[]) frame[1], new SessionError());
    }

    /** True once the server has closed the connection. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
