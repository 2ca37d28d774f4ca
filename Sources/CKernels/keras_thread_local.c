#include "keras_thread_local.h"

static _Thread_local void *current_tape = 0;

void *keras_current_tape(void) { return current_tape; }
void keras_set_current_tape(void *tape) { current_tape = tape; }

static long node_counter = 0;
long keras_next_node_id(void) { return __atomic_add_fetch(&node_counter, 1, __ATOMIC_RELAXED); }
