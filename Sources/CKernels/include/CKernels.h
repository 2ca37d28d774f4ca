#ifndef CKERNELS_H
#define CKERNELS_H
// Umbrella header of the C kernels module.
#include "keras_thread_local.h"
#include "keras_gemm.h"
#include "keras_optimizers.h"
#include "keras_recurrent.h"
#include "keras_profile.h"
#include "keras_patches.h"
#endif
