package io.duet.client.internal;

import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.commonConstants;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.TBase;

/**
 * A sign-up or log-in that a client with no token yet makes on its connection before AUTH (the server
 * allows the AccountService calls that make a token there, see session.thrift), to authenticate the
 * same connection with the token it gets. Signing up again with the same email and password returns the
 * same account, so a call whose reply was lost is simply made again on the next connection.
 */
final class TokenCall {
    private final String method;
    private final TBase<?, ?> args;
    private final TBase<?, ?> emptyResult;

    private TokenCall(String method, TBase<?, ?> args, TBase<?, ?> emptyResult) {
        this.method = method;
        this.args = args;
        this.emptyResult = emptyResult;
    }

    static TokenCall signUp(SignUpRequest request) {
        return new TokenCall("signUp", new AccountService.signUp_args(request), new AccountService.signUp_result());
    }

    static TokenCall logIn(LogInRequest request) {
        return new TokenCall("logIn", new AccountService.logIn_args(request), new AccountService.logIn_result());
    }

    /** Makes the call over the transport's connection, not authenticated yet. */
    CompletableFuture<Session> make(SessionTransport transport) {
        return transport.call(commonConstants.ACCOUNT_SERVICE, method, args.deepCopy(), emptyResult.deepCopy());
    }

    @Override
    public String toString() {
        return method;
    }
}
