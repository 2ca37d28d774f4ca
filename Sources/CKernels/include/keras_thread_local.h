#ifndef KERAS_THREAD_LOCAL_H
#define KERAS_THREAD_LOCAL_H
// The gradient tape that records on the calling thread (an unretained object pointer), or NULL.
void *keras_current_tape(void);
void keras_set_current_tape(void *tape);
// A process-wide increasing number, used to order autodiff nodes.
long keras_next_node_id(void);
#endif
