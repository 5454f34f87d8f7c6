package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.kv.SlotAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefillAdderTest {
    @Test
    void aChunkedRequestThatGetsNoRoomStaysTheChunkedRequest() {
        SlotAllocator slots = new SlotAllocator(16);
        int[] taken = slots.alloc(16);
        PrefixCache cache = PrefixCache.create(slots, true);
        SchedulerSettings settings = new SchedulerSettings(8, 16384, 4, SchedulePolicy.FCFS, 1.0, false, 1, 40, 0);
        Req r = new Req("a", new GenerateRequest(new int[10], FixtureRunner.greedy(4)), null, new int[0], 1, null);
        r.cached = 5;
        PrefillAdder full = new PrefillAdder(slots, cache, List.of(), 0.7, settings);
        full.addChunked(r);
        assertThat(full.pieces()).as("nothing admitted with the pool full").isEmpty();
        assertThat(full.chunked()).as("still to continue").isSameAs(r);

        slots.free(taken);
        PrefillAdder room = new PrefillAdder(slots, cache, List.of(), 0.7, settings);
        room.addChunked(r);
        assertThat(room.pieces()).singleElement().satisfies(p -> assertThat(p.take()).isEqualTo(4));
        assertThat(room.chunked()).isSameAs(r);
        PrefillAdder last = new PrefillAdder(slots, cache, List.of(), 0.7, settings);
        r.cached = 9;
        last.addChunked(r);
        assertThat(last.pieces()).singleElement().satisfies(p -> assertThat(p.take()).isEqualTo(1));
        assertThat(last.chunked()).as("its last chunk admitted").isNull();
    }
}
