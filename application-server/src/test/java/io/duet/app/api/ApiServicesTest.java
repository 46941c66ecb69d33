package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.rpc.ServiceBinding;
import io.duet.protocol.thrift.ClientApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The application server binds every service of the client API's one list ({@link ClientApi}), once each. */
class ApiServicesTest {
    @Test
    void everyServiceOfTheClientApiIsBoundWithAllItsMethods() {
        List<ServiceBinding<?>> bindings = ApiServices.catalogue();

        assertThat(bindings.stream().map(ServiceBinding::name).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(ClientApi.SERVICES.stream().map(ClientApi.Service::name)
                        .collect(Collectors.toList()));
        for (ServiceBinding<?> binding : bindings) {
            ClientApi.Service<?> service = ClientApi.SERVICES.stream()
                    .filter(candidate -> candidate.name().equals(binding.name())).findFirst().orElseThrow();
            assertThat(binding.functions().keySet()).as(binding.name()).isEqualTo(service.methods());
        }
    }

    @Test
    void bindingsThatLeaveOutOrRepeatAServiceAreRefused() {
        List<ServiceBinding<?>> all = ApiServices.catalogue();
        List<ServiceBinding<?>> missing = new ArrayList<>(all.subList(1, all.size()));
        assertThatThrownBy(() -> ApiServices.checked(missing)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected: each service of the client API once");

        List<ServiceBinding<?>> twice = new ArrayList<>(all);
        twice.add(ServiceBinding.of(ClientApi.CHAT, context -> null, ServiceBinding.Access.COUPLE, Set.of()));
        assertThatThrownBy(() -> ApiServices.checked(twice)).isInstanceOf(IllegalStateException.class);
    }
}
